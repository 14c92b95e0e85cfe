#!/usr/bin/env bash
# Variant of openvpn.sh: BACKEND=dpdk (the patched server on a DPDK daemon: af_packet on its veth, --no-huge)
export BACKEND=dpdk; exec "$(dirname "$0")/openvpn.sh" "$@"

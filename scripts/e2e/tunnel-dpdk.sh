#!/usr/bin/env bash
# Variant of tunnel.sh: BACKEND=dpdk (every daemon on DPDK: af_packet veths on one bridge, net_tun, --no-huge)
export BACKEND=dpdk; exec "$(dirname "$0")/tunnel.sh" "$@"

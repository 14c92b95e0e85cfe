#!/usr/bin/env bash
# Variant of openvpn.sh: OVPN_P2P=1 (spec §7 check 10: a patched client in p2p mode on a --mode p2p daemon, stock server)
export OVPN_P2P=1; exec "$(dirname "$0")/openvpn.sh" "$@"

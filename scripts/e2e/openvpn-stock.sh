#!/usr/bin/env bash
# Variant of openvpn.sh: OVPN_SERVER=stock (Debian's OpenVPN server in userspace, no daemon: the baseline, spec §7 check 9)
export OVPN_SERVER=stock; exec "$(dirname "$0")/openvpn.sh" "$@"

#!/usr/bin/env bash
# Variant of tunnel.sh: PEER_IDS=symmetric (peer-id c on both sides, as OpenVPN itself does)
export PEER_IDS=symmetric; exec "$(dirname "$0")/tunnel.sh" "$@"

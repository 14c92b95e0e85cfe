#!/usr/bin/env bash
# Variant of tunnel.sh: BACKEND=dpdk TRANSPORT=6
export BACKEND=dpdk TRANSPORT=6; exec "$(dirname "$0")/tunnel.sh" "$@"

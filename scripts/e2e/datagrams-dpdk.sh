#!/usr/bin/env bash
# Variant of datagrams.sh: BACKEND=dpdk (af_packet wire port, --no-huge)
export BACKEND=dpdk; exec "$(dirname "$0")/datagrams.sh" "$@"

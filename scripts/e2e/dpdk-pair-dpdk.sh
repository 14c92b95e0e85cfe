#!/usr/bin/env bash
# Variant of dpdk-pair.sh: DPDK on both ends.
export PEER=dpdk; exec "$(dirname "$0")/dpdk-pair.sh" "$@"

#!/usr/bin/env bash
# Variant of dpdk-pair.sh: DPDK on both ends, workers that never sleep (--idle spin).
export PEER=dpdk IDLE=spin; exec "$(dirname "$0")/dpdk-pair.sh" "$@"

#!/usr/bin/env bash
# Variant of dpdk-pair.sh: DPDK on both ends, IPv6 transport, ChaCha20-Poly1305.
export PEER=dpdk TRANSPORT=6 ALG=CHACHA20-POLY1305; exec "$(dirname "$0")/dpdk-pair.sh" "$@"

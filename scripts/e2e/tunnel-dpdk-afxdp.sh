#!/usr/bin/env bash
# Variant of tunnel.sh: BACKEND=dpdk WIRE_PMD=af_xdp (every daemon's wire port is net_af_xdp on its
# veth; skipped, exit 77 with the reason, where the PMD, AF_XDP sockets or XDP are missing)
export BACKEND=dpdk WIRE_PMD=af_xdp; exec "$(dirname "$0")/tunnel.sh" "$@"

#!/usr/bin/env bash
# Variant of tunnel.sh: ALG=CHACHA20-POLY1305
export ALG=CHACHA20-POLY1305; exec "$(dirname "$0")/tunnel.sh" "$@"

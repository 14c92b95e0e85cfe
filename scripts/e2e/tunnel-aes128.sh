#!/usr/bin/env bash
# Variant of tunnel.sh: ALG=AES-128-GCM
export ALG=AES-128-GCM; exec "$(dirname "$0")/tunnel.sh" "$@"

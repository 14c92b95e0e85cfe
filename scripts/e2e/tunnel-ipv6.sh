#!/usr/bin/env bash
# Variant of tunnel.sh: TRANSPORT=6
export TRANSPORT=6; exec "$(dirname "$0")/tunnel.sh" "$@"

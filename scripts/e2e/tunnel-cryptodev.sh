#!/usr/bin/env bash
# Variant of tunnel.sh: CRYPTO=cryptodev:crypto_aesni_gcm0 (every daemon's packets through DPDK's
# cryptodev API on the ipsec-mb GCM PMD; socket backend: the engine starts an EAL without ports)
export CRYPTO=cryptodev:crypto_aesni_gcm0; exec "$(dirname "$0")/tunnel.sh" "$@"

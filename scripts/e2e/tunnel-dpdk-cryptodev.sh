#!/usr/bin/env bash
# Variant of tunnel.sh: BACKEND=dpdk CRYPTO=cryptodev:crypto_aesni_gcm0 (the crypto vdev made in
# the port backend's EAL; packets to it in the mbufs they arrived in)
export BACKEND=dpdk CRYPTO=cryptodev:crypto_aesni_gcm0; exec "$(dirname "$0")/tunnel.sh" "$@"

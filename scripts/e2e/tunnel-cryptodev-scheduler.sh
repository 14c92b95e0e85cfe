#!/usr/bin/env bash
# Variant of tunnel.sh: the server's crypto on DPDK's scheduler in multi-core mode, which does
# the AEAD on another core (lcore 1) and completes truly asynchronously — the one such device
# here; the clients in software. Socket backend.
export SERVER_CRYPTO="cryptodev:crypto_scheduler,worker=crypto_aesni_gcm1,mode=multi-core,corelist=1"
exec "$(dirname "$0")/tunnel.sh" "$@"

/**
 * Asynchronous crypto offload: submit a burst, poll completions later
 * ({@link dev.ovpndpdk.crypto.AsyncAeadEngine}). {@code dev.ovpndpdk.qat.cryptodev} drives DPDK
 * 22.11 crypto devices (software PMDs, the scheduler, QAT through DPDK's QAT PMD);
 * {@code dev.ovpndpdk.qat.qatlib} drives QAT through qatlib's data-plane API;
 * {@link dev.ovpndpdk.qat.AsyncEngines} turns the daemon's {@code --crypto} into one of them.
 * The workers hold packets in flight as docs/engine.md says; docs/crypto-offload.md.
 */
package dev.ovpndpdk.qat;

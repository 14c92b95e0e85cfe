/**
 * Asynchronous crypto offload: submit a burst, poll completions later
 * ({@link dev.ovpndpdk.crypto.AsyncAeadEngine}). {@code dev.ovpndpdk.qat.cryptodev} drives DPDK
 * 22.11 crypto devices (software PMDs, the scheduler, QAT through DPDK's QAT PMD); qatlib is not
 * built yet. The data plane's workers do not use these engines yet; see docs/crypto-offload.md.
 */
package dev.ovpndpdk.qat;

/**
 * Asynchronous crypto offload (Intel QAT through qatlib and through DPDK cryptodev): submit a
 * burst, poll completions later. Not built yet — the synchronous engines of the {@code aesni}
 * module are all the data plane uses today; see ARCHITECTURE.md "Crypto backends" and the
 * project's open issues. The module exists so that the dependency order
 * {@code bindings ← aesni ← qat ← dataplane} is fixed from the start.
 */
package dev.ovpndpdk.qat;

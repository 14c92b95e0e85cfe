/**
 * The {@link dev.ovpndpdk.crypto.AsyncAeadEngine} over DPDK 22.11's cryptodev: software PMDs
 * (tested here), the crypto scheduler, and QAT through DPDK's QAT PMD (docs/crypto-offload.md).
 * One queue pair per worker; the shim fills and enqueues a burst of ops in one downcall.
 */
package dev.ovpndpdk.qat.cryptodev;

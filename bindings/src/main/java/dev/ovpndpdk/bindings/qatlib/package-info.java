/**
 * qatlib bindings for the {@code qat} engine: Intel QAT (Gen4 and later) through qatlib's
 * symmetric data-plane API ({@code cpaCySymDp*}), its start-up and instance calls, and USDM,
 * its DMA memory allocator (async-crypto.md §1).
 *
 * <h2>Shape</h2>
 * Written by hand from the offsets and signatures in async-crypto.md §1, because qatlib's
 * headers are not installed here (Debian 12 has no qatlib package): {@link
 * dev.ovpndpdk.bindings.qatlib.Qatlib} loads the libraries at run time and holds every downcall,
 * named like the C functions; one class per struct ({@link
 * dev.ovpndpdk.bindings.qatlib.CpaCySymSessionSetupData}, {@link
 * dev.ovpndpdk.bindings.qatlib.CpaCySymDpOpData}, {@link dev.ovpndpdk.bindings.qatlib.CpaInstanceInfo2},
 * {@link dev.ovpndpdk.bindings.qatlib.CpaCySymCapabilitiesInfo}) gives offsets and constants;
 * {@link dev.ovpndpdk.bindings.qatlib.Cpa} the status codes.
 *
 * <h2>Completions</h2>
 * qatlib calls a C callback once per finished request from inside its poll. Ours,
 * {@code libovpndpdk_qatcb.so} ({@code src/main/c/ovpn_qat_completions.c}), fills a
 * {@link dev.ovpndpdk.bindings.qatlib.QatCompletionRing} that Java reads after the one poll
 * downcall; there is no upcall.
 *
 * <h2>What was verified</h2>
 * Only against the stand-in library of the {@code qat} module's tests, which implements these
 * signatures and layouts as we read them. Never against real qatlib or a QAT device.
 */
package dev.ovpndpdk.bindings.qatlib;

/**
 * DPDK 22.11 bindings for the {@code dpdk} port backend and the cryptodev engine, through the FFM
 * API: EAL, lcores and thread registration, mempools and mbufs, ethdev ports, rings, hot-plugged
 * vdevs, crypto devices, sessions and ops.
 *
 * <h2>Shape</h2>
 * What jextract would produce for the symbols we use, written by hand (jextract is not packaged
 * where this project builds; {@code scripts/jextract-dpdk.sh} regenerates the raw bindings for
 * comparison where it is installed): one class per header ({@link dev.ovpndpdk.bindings.dpdk.RteEal},
 * {@link dev.ovpndpdk.bindings.dpdk.RteLcore}, {@link dev.ovpndpdk.bindings.dpdk.RteErrno},
 * {@link dev.ovpndpdk.bindings.dpdk.RteDev}, {@link dev.ovpndpdk.bindings.dpdk.RteMempool},
 * {@link dev.ovpndpdk.bindings.dpdk.RteMbuf}, {@link dev.ovpndpdk.bindings.dpdk.RteEthdev},
 * {@link dev.ovpndpdk.bindings.dpdk.RteRing}, {@link dev.ovpndpdk.bindings.dpdk.RteEthRing},
 * {@link dev.ovpndpdk.bindings.dpdk.RteBusVdev}, {@link dev.ovpndpdk.bindings.dpdk.RteCryptodev},
 * {@link dev.ovpndpdk.bindings.dpdk.RteCrypto}) with static methods named like the C functions;
 * one class per struct ({@link dev.ovpndpdk.bindings.dpdk.RteMbufCore},
 * {@link dev.ovpndpdk.bindings.dpdk.RteEthDevInfo}, {@link dev.ovpndpdk.bindings.dpdk.RteEthConf},
 * {@link dev.ovpndpdk.bindings.dpdk.RteEthRxconf}, {@link dev.ovpndpdk.bindings.dpdk.RteEthTxconf},
 * {@link dev.ovpndpdk.bindings.dpdk.RteEthLink}, {@link dev.ovpndpdk.bindings.dpdk.RteEthStats},
 * {@link dev.ovpndpdk.bindings.dpdk.RteEtherAddr}, {@link dev.ovpndpdk.bindings.dpdk.RteCryptodevConfig},
 * {@link dev.ovpndpdk.bindings.dpdk.RteCryptodevQpConf}, {@link dev.ovpndpdk.bindings.dpdk.RteCryptodevInfo},
 * {@link dev.ovpndpdk.bindings.dpdk.RteCryptoSymXform}) with its {@code LAYOUT}, {@code $OFFSET}
 * constants and accessors. {@code DpdkLayoutTest} checks every offset, size and constant against
 * the installed headers.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Fast path.</b> DPDK's burst, mbuf and ring functions are {@code static inline}; the
 *       C shim {@code libovpndpdk_shim.so} exports them ({@code ovd_rx_burst}...) and the header
 *       classes bind them under DPDK's names ({@link dev.ovpndpdk.bindings.dpdk.RteEthdev#rte_eth_rx_burst}).
 *       They take mbufs, pools, rings and pointer arrays as {@code long} addresses, are linked
 *       {@code critical} (none blocks), and allocate nothing.</li>
 *   <li><b>Set-up.</b> Calls return what DPDK returns; {@link dev.ovpndpdk.bindings.dpdk.RteErrno}
 *       turns the two error conventions ({@code -errno}, or -1/NULL with {@code rte_errno}) into a
 *       {@link dev.ovpndpdk.bindings.dpdk.DpdkException} naming the call. Structs are
 *       MemorySegments; strings are copied into a confined arena per call.</li>
 *   <li><b>Integers.</b> {@code uint16_t} ports, queues and descriptor counts are {@code int} in
 *       Java; unsigned fields come back non-negative; {@code UINT32_MAX} ids are -1.</li>
 *   <li><b>Availability.</b> {@link dev.ovpndpdk.bindings.dpdk.Dpdk#isAvailable()}; where false,
 *       every call throws {@link java.lang.UnsupportedOperationException} with
 *       {@link dev.ovpndpdk.bindings.dpdk.Dpdk#unavailableReason()}. No class here fails to load.</li>
 *   <li><b>Threads.</b> {@code rte_errno} and the lcore id are per OS thread: call from platform
 *       threads, never virtual ones.</li>
 * </ul>
 */
package dev.ovpndpdk.bindings.dpdk;

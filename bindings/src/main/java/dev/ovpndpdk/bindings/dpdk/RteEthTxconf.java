package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct rte_eth_txconf}: per-queue transmit configuration. Start from
 * {@link RteEthDevInfo#default_txconf} and change {@code offloads}; or pass NULL to
 * {@code rte_eth_tx_queue_setup} for the driver's defaults.
 */
public final class RteEthTxconf {
    private RteEthTxconf() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            RteEthRxconf.THRESH.withName("tx_thresh"),
            MemoryLayout.paddingLayout(1),
            JAVA_SHORT.withName("tx_rs_thresh"),
            JAVA_SHORT.withName("tx_free_thresh"),
            JAVA_BYTE.withName("tx_deferred_start"),
            MemoryLayout.paddingLayout(7),
            JAVA_LONG.withName("offloads"),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("reserved_64s"),
            MemoryLayout.sequenceLayout(2, ADDRESS).withName("reserved_ptrs")
    ).withName("rte_eth_txconf");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static final long offloads$OFFSET = StructOffsets.of(LAYOUT, "offloads");

    /** Per-queue {@code RTE_ETH_TX_OFFLOAD_*}; port-wide ones come from {@code rte_eth_conf.txmode}. */
    public static long offloads(MemorySegment s) {
        return s.get(JAVA_LONG, offloads$OFFSET);
    }

    public static void offloads(MemorySegment s, long v) {
        s.set(JAVA_LONG, offloads$OFFSET, v);
    }
}

package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct rte_eth_rxconf} (and {@code struct rte_eth_thresh}): per-queue receive
 * configuration. Start from {@link RteEthDevInfo#default_rxconf} and change {@code offloads};
 * or pass NULL to {@code rte_eth_rx_queue_setup} for the driver's defaults.
 */
public final class RteEthRxconf {
    private RteEthRxconf() {
    }

    public static final StructLayout THRESH = MemoryLayout.structLayout(
            JAVA_BYTE.withName("pthresh"),
            JAVA_BYTE.withName("hthresh"),
            JAVA_BYTE.withName("wthresh")
    ).withName("rte_eth_thresh");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            THRESH.withName("rx_thresh"),
            MemoryLayout.paddingLayout(1),
            JAVA_SHORT.withName("rx_free_thresh"),
            JAVA_BYTE.withName("rx_drop_en"),
            JAVA_BYTE.withName("rx_deferred_start"),
            JAVA_SHORT.withName("rx_nseg"),
            JAVA_SHORT.withName("share_group"),
            JAVA_SHORT.withName("share_qid"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("offloads"),
            ADDRESS.withName("rx_seg"),
            ADDRESS.withName("rx_mempools"),
            JAVA_SHORT.withName("rx_nmempool"),
            MemoryLayout.paddingLayout(6),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("reserved_64s"),
            MemoryLayout.sequenceLayout(2, ADDRESS).withName("reserved_ptrs")
    ).withName("rte_eth_rxconf");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static final long rx_drop_en$OFFSET = StructOffsets.of(LAYOUT, "rx_drop_en");
    public static final long offloads$OFFSET = StructOffsets.of(LAYOUT, "offloads");

    /** Per-queue {@code RTE_ETH_RX_OFFLOAD_*}; port-wide ones come from {@code rte_eth_conf.rxmode}. */
    public static long offloads(MemorySegment s) {
        return s.get(JAVA_LONG, offloads$OFFSET);
    }

    public static void offloads(MemorySegment s, long v) {
        s.set(JAVA_LONG, offloads$OFFSET, v);
    }

    /** Drop packets when no descriptor is free instead of back-pressuring the port (where the driver can). */
    public static void rx_drop_en(MemorySegment s, boolean v) {
        s.set(JAVA_BYTE, rx_drop_en$OFFSET, (byte) (v ? 1 : 0));
    }
}

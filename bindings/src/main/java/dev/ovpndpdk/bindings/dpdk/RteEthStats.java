package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct rte_eth_stats}: a port's basic counters, filled by
 * {@link RteEthdev#rte_eth_stats_get}. The per-queue arrays hold
 * {@value #RTE_ETHDEV_QUEUE_STAT_CNTRS} queues ({@code RTE_ETHDEV_QUEUE_STAT_CNTRS} of Debian's build).
 */
public final class RteEthStats {
    private RteEthStats() {
    }

    public static final int RTE_ETHDEV_QUEUE_STAT_CNTRS = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ipackets"),
            JAVA_LONG.withName("opackets"),
            JAVA_LONG.withName("ibytes"),
            JAVA_LONG.withName("obytes"),
            JAVA_LONG.withName("imissed"),
            JAVA_LONG.withName("ierrors"),
            JAVA_LONG.withName("oerrors"),
            JAVA_LONG.withName("rx_nombuf"),
            MemoryLayout.sequenceLayout(RTE_ETHDEV_QUEUE_STAT_CNTRS, JAVA_LONG).withName("q_ipackets"),
            MemoryLayout.sequenceLayout(RTE_ETHDEV_QUEUE_STAT_CNTRS, JAVA_LONG).withName("q_opackets"),
            MemoryLayout.sequenceLayout(RTE_ETHDEV_QUEUE_STAT_CNTRS, JAVA_LONG).withName("q_ibytes"),
            MemoryLayout.sequenceLayout(RTE_ETHDEV_QUEUE_STAT_CNTRS, JAVA_LONG).withName("q_obytes"),
            MemoryLayout.sequenceLayout(RTE_ETHDEV_QUEUE_STAT_CNTRS, JAVA_LONG).withName("q_errors")
    ).withName("rte_eth_stats");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    public static final long ipackets$OFFSET = StructOffsets.of(LAYOUT, "ipackets");
    public static final long opackets$OFFSET = StructOffsets.of(LAYOUT, "opackets");
    public static final long ibytes$OFFSET = StructOffsets.of(LAYOUT, "ibytes");
    public static final long obytes$OFFSET = StructOffsets.of(LAYOUT, "obytes");
    public static final long imissed$OFFSET = StructOffsets.of(LAYOUT, "imissed");
    public static final long ierrors$OFFSET = StructOffsets.of(LAYOUT, "ierrors");
    public static final long oerrors$OFFSET = StructOffsets.of(LAYOUT, "oerrors");
    public static final long rx_nombuf$OFFSET = StructOffsets.of(LAYOUT, "rx_nombuf");

    /** Packets received. */
    public static long ipackets(MemorySegment s) {
        return s.get(JAVA_LONG, ipackets$OFFSET);
    }

    /** Packets transmitted. */
    public static long opackets(MemorySegment s) {
        return s.get(JAVA_LONG, opackets$OFFSET);
    }

    public static long ibytes(MemorySegment s) {
        return s.get(JAVA_LONG, ibytes$OFFSET);
    }

    public static long obytes(MemorySegment s) {
        return s.get(JAVA_LONG, obytes$OFFSET);
    }

    /** Packets the hardware dropped because the RX queues were full: the worker was too slow. */
    public static long imissed(MemorySegment s) {
        return s.get(JAVA_LONG, imissed$OFFSET);
    }

    public static long ierrors(MemorySegment s) {
        return s.get(JAVA_LONG, ierrors$OFFSET);
    }

    public static long oerrors(MemorySegment s) {
        return s.get(JAVA_LONG, oerrors$OFFSET);
    }

    /** RX mbuf allocation failures: the pool was empty. */
    public static long rx_nombuf(MemorySegment s) {
        return s.get(JAVA_LONG, rx_nombuf$OFFSET);
    }
}

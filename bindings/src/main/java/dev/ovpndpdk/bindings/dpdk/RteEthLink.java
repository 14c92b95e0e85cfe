package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct rte_eth_link}: speed and three one-bit flags (duplex, autoneg, status) in the
 * 16 bits after it, 8-byte aligned so DPDK can update it atomically.
 */
public final class RteEthLink {
    private RteEthLink() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("link_speed"),
            JAVA_SHORT, // link_duplex:1, link_autoneg:1, link_status:1
            MemoryLayout.paddingLayout(2)
    ).withByteAlignment(8).withName("rte_eth_link");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    public static final long link_speed$OFFSET = 0;
    /** Offset of the 16-bit word holding the bit-fields, and their bits in it. */
    public static final long FLAGS$OFFSET = 4;
    public static final int LINK_DUPLEX_BIT = 0;
    public static final int LINK_AUTONEG_BIT = 1;
    public static final int LINK_STATUS_BIT = 2;

    /** Mbps ({@code RTE_ETH_SPEED_NUM_*}); 0 unknown/none, {@code UINT32_MAX} unknown for virtual devices. */
    public static int link_speed(MemorySegment s) {
        return s.get(JAVA_INT, link_speed$OFFSET);
    }

    /** {@code RTE_ETH_LINK_FULL_DUPLEX} (1) or half (0). */
    public static int link_duplex(MemorySegment s) {
        return s.get(JAVA_SHORT, FLAGS$OFFSET) >> LINK_DUPLEX_BIT & 1;
    }

    public static int link_autoneg(MemorySegment s) {
        return s.get(JAVA_SHORT, FLAGS$OFFSET) >> LINK_AUTONEG_BIT & 1;
    }

    /** {@link RteEthdev#RTE_ETH_LINK_UP} or {@link RteEthdev#RTE_ETH_LINK_DOWN}. */
    public static int link_status(MemorySegment s) {
        return s.get(JAVA_SHORT, FLAGS$OFFSET) >> LINK_STATUS_BIT & 1;
    }
}

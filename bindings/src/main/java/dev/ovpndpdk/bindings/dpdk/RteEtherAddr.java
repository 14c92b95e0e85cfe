package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** {@code struct rte_ether_addr} ({@code rte_ether.h}): six bytes, 2-byte aligned. */
public final class RteEtherAddr {
    private RteEtherAddr() {
    }

    public static final int RTE_ETHER_ADDR_LEN = 6;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(RTE_ETHER_ADDR_LEN, JAVA_BYTE).withName("addr_bytes")
    ).withByteAlignment(2).withName("rte_ether_addr");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The six bytes, in wire order. */
    public static byte[] addr_bytes(MemorySegment s) {
        return s.asSlice(0, RTE_ETHER_ADDR_LEN).toArray(JAVA_BYTE);
    }

    /** "02:00:00:00:00:01". */
    public static String format(MemorySegment s) {
        return HexFormat.ofDelimiter(":").formatHex(addr_bytes(s));
    }
}

package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct rte_cryptodev_config}: for {@link RteCryptodev#rte_cryptodev_configure}. */
public final class RteCryptodevConfig {
    private RteCryptodevConfig() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("socket_id"),
            JAVA_SHORT.withName("nb_queue_pairs"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("ff_disable")
    ).withName("rte_cryptodev_config");

    public static final long socket_id$OFFSET = StructOffsets.of(LAYOUT, "socket_id");
    public static final long nb_queue_pairs$OFFSET = StructOffsets.of(LAYOUT, "nb_queue_pairs");
    public static final long ff_disable$OFFSET = StructOffsets.of(LAYOUT, "ff_disable");

    /** A zeroed config: nothing disabled. */
    public static MemorySegment allocate(Arena arena, int socketId, int queuePairs) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.set(JAVA_INT, socket_id$OFFSET, socketId);
        s.set(JAVA_SHORT, nb_queue_pairs$OFFSET, (short) queuePairs);
        return s;
    }
}

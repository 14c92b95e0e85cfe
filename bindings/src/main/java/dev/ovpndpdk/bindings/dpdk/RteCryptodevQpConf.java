package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct rte_cryptodev_qp_conf} (22.11: {@code mp_session_private} is gone). The session
 * pool is checked here, at queue-pair set-up: its elements must hold the PMD's private session
 * (async-crypto.md §5), or set-up fails with "Invalid mempool".
 */
public final class RteCryptodevQpConf {
    private RteCryptodevQpConf() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nb_descriptors"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("mp_session")
    ).withName("rte_cryptodev_qp_conf");

    public static final long nb_descriptors$OFFSET = StructOffsets.of(LAYOUT, "nb_descriptors");
    public static final long mp_session$OFFSET = StructOffsets.of(LAYOUT, "mp_session");

    public static MemorySegment allocate(Arena arena, int descriptors, long sessionPool) {
        MemorySegment s = arena.allocate(LAYOUT);
        s.set(JAVA_INT, nb_descriptors$OFFSET, descriptors);
        s.set(JAVA_LONG, mp_session$OFFSET, sessionPool);
        return s;
    }
}

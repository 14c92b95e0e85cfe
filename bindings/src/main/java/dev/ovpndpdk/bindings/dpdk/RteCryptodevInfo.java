package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct rte_cryptodev_info}, filled by {@link RteCryptodev#rte_cryptodev_info_get}. */
public final class RteCryptodevInfo {
    private RteCryptodevInfo() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("driver_name"),
            JAVA_BYTE.withName("driver_id"),
            MemoryLayout.paddingLayout(7),
            ADDRESS.withName("device"),
            JAVA_LONG.withName("feature_flags"),
            ADDRESS.withName("capabilities"),
            JAVA_INT.withName("max_nb_queue_pairs"),
            JAVA_SHORT.withName("min_mbuf_headroom_req"),
            JAVA_SHORT.withName("min_mbuf_tailroom_req"),
            JAVA_INT.withName("sym_max_nb_sessions"), // struct { unsigned max_nb_sessions; } sym
            MemoryLayout.paddingLayout(4)
    ).withName("rte_cryptodev_info");

    public static final long driver_name$OFFSET = StructOffsets.of(LAYOUT, "driver_name");
    public static final long feature_flags$OFFSET = StructOffsets.of(LAYOUT, "feature_flags");
    public static final long max_nb_queue_pairs$OFFSET = StructOffsets.of(LAYOUT, "max_nb_queue_pairs");
    public static final long sym_max_nb_sessions$OFFSET = StructOffsets.of(LAYOUT, "sym_max_nb_sessions");

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The PMD's name, e.g. {@code crypto_aesni_gcm}, {@code crypto_qat}. */
    public static String driver_name(MemorySegment s) {
        return Dpdk.cString(s.get(ADDRESS, driver_name$OFFSET), 64);
    }

    /** {@code RTE_CRYPTODEV_FF_*} bits. */
    public static long feature_flags(MemorySegment s) {
        return s.get(JAVA_LONG, feature_flags$OFFSET);
    }

    public static int max_nb_queue_pairs(MemorySegment s) {
        return s.get(JAVA_INT, max_nb_queue_pairs$OFFSET);
    }

    /** {@code sym.max_nb_sessions}: 0 when the device sets no limit. */
    public static int sym_max_nb_sessions(MemorySegment s) {
        return s.get(JAVA_INT, sym_max_nb_sessions$OFFSET);
    }
}

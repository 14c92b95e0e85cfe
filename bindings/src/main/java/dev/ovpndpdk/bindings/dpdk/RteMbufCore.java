package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static dev.ovpndpdk.bindings.dpdk.Dpdk.NATIVE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct rte_mbuf} ({@code rte_mbuf_core.h}, DPDK 22.11 with {@code RTE_IOVA_AS_PA}, as
 * Debian builds it) and the offload flags of that header.
 *
 * <p>The accessors read and write a field of the mbuf at an absolute address: workers hold
 * mbuf pointers in a {@code long[]} and must not make a MemorySegment per packet. Unsigned
 * C fields come back as non-negative {@code int}s. Nothing is checked: an address that is not
 * an mbuf is undefined behaviour, as in C.
 *
 * <p>Unions are modelled by the member we use ({@code hash.rss}); the {@code tx_offload}
 * bit-fields by shift and mask ({@link #L2_LEN_BITS} ...), checked by {@code DpdkLayoutTest}.
 */
public final class RteMbufCore {
    private RteMbufCore() {
    }

    /*
     * The accessors use unaligned layouts although every field is naturally aligned (an mbuf
     * starts on a cache line): an aligned layout costs an alignment check of the absolute
     * address on every access, per packet, which the JIT cannot fold.
     */
    private static final ValueLayout.OfLong U_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort U_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("buf_addr"),
            JAVA_LONG.withName("buf_iova"),
            JAVA_SHORT.withName("data_off"),
            JAVA_SHORT.withName("refcnt"),
            JAVA_SHORT.withName("nb_segs"),
            JAVA_SHORT.withName("port"),
            JAVA_LONG.withName("ol_flags"),
            JAVA_INT.withName("packet_type"),
            JAVA_INT.withName("pkt_len"),
            JAVA_SHORT.withName("data_len"),
            JAVA_SHORT.withName("vlan_tci"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("rss"),
                    MemoryLayout.structLayout(JAVA_INT, JAVA_INT)).withName("hash"),
            JAVA_SHORT.withName("vlan_tci_outer"),
            JAVA_SHORT.withName("buf_len"),
            ADDRESS.withName("pool"),
            // second cache line: slow path and TX offload fields
            ADDRESS.withName("next"),
            JAVA_LONG.withName("tx_offload"),
            ADDRESS.withName("shinfo"),
            JAVA_SHORT.withName("priv_size"),
            JAVA_SHORT.withName("timesync"),
            MemoryLayout.sequenceLayout(9, JAVA_INT).withName("dynfield1")
    ).withByteAlignment(64).withName("rte_mbuf");

    public static StructLayout layout() {
        return LAYOUT;
    }

    private static long offset(String... path) {
        return StructOffsets.of(LAYOUT, path);
    }

    public static final long buf_addr$OFFSET = offset("buf_addr");
    public static final long data_off$OFFSET = offset("data_off");
    public static final long refcnt$OFFSET = offset("refcnt");
    public static final long nb_segs$OFFSET = offset("nb_segs");
    public static final long port$OFFSET = offset("port");
    public static final long ol_flags$OFFSET = offset("ol_flags");
    public static final long packet_type$OFFSET = offset("packet_type");
    public static final long pkt_len$OFFSET = offset("pkt_len");
    public static final long data_len$OFFSET = offset("data_len");
    public static final long vlan_tci$OFFSET = offset("vlan_tci");
    public static final long hash_rss$OFFSET = offset("hash", "rss");
    public static final long buf_len$OFFSET = offset("buf_len");
    public static final long pool$OFFSET = offset("pool");
    public static final long next$OFFSET = offset("next");
    public static final long tx_offload$OFFSET = offset("tx_offload");

    /** {@code tx_offload} bit-fields, from bit 0 up (RTE_MBUF_*_BITS in rte_mbuf_core.h). */
    public static final int L2_LEN_BITS = 7;
    public static final int L3_LEN_BITS = 9;
    public static final int L4_LEN_BITS = 8;
    public static final int L2_LEN_SHIFT = 0;
    public static final int L3_LEN_SHIFT = L2_LEN_SHIFT + L2_LEN_BITS;
    public static final int L4_LEN_SHIFT = L3_LEN_SHIFT + L3_LEN_BITS;

    // ol_flags: receive
    public static final long RTE_MBUF_F_RX_RSS_HASH = 1L << 1;
    public static final long RTE_MBUF_F_RX_L4_CKSUM_BAD = 1L << 3;
    public static final long RTE_MBUF_F_RX_IP_CKSUM_BAD = 1L << 4;
    public static final long RTE_MBUF_F_RX_IP_CKSUM_GOOD = 1L << 7;
    public static final long RTE_MBUF_F_RX_L4_CKSUM_GOOD = 1L << 8;
    public static final long RTE_MBUF_F_RX_IP_CKSUM_MASK = RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
    public static final long RTE_MBUF_F_RX_L4_CKSUM_MASK = RTE_MBUF_F_RX_L4_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
    // ol_flags: transmit (the checksum requests need l2_len/l3_len set, and RTE_ETH_TX_OFFLOAD_* on the port)
    public static final long RTE_MBUF_F_TX_UDP_CKSUM = 3L << 52;
    public static final long RTE_MBUF_F_TX_IP_CKSUM = 1L << 54;
    public static final long RTE_MBUF_F_TX_IPV4 = 1L << 55;
    public static final long RTE_MBUF_F_TX_IPV6 = 1L << 56;

    public static long buf_addr(long m) {
        return NATIVE.get(U_LONG, m + buf_addr$OFFSET);
    }

    public static void buf_addr(long m, long v) {
        NATIVE.set(U_LONG, m + buf_addr$OFFSET, v);
    }

    public static int data_off(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + data_off$OFFSET));
    }

    public static void data_off(long m, int v) {
        NATIVE.set(U_SHORT, m + data_off$OFFSET, (short) v);
    }

    /** Plain read; use {@link RteMbuf#rte_mbuf_refcnt_update} to change a shared mbuf's count. */
    public static int refcnt(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + refcnt$OFFSET));
    }

    /** Plain write, for an mbuf no other thread can see (as {@code rte_mbuf_refcnt_set}). */
    public static void refcnt(long m, int v) {
        NATIVE.set(U_SHORT, m + refcnt$OFFSET, (short) v);
    }

    public static int nb_segs(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + nb_segs$OFFSET));
    }

    public static void nb_segs(long m, int v) {
        NATIVE.set(U_SHORT, m + nb_segs$OFFSET, (short) v);
    }

    public static int port(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + port$OFFSET));
    }

    public static void port(long m, int v) {
        NATIVE.set(U_SHORT, m + port$OFFSET, (short) v);
    }

    public static long ol_flags(long m) {
        return NATIVE.get(U_LONG, m + ol_flags$OFFSET);
    }

    public static void ol_flags(long m, long v) {
        NATIVE.set(U_LONG, m + ol_flags$OFFSET, v);
    }

    public static int packet_type(long m) {
        return NATIVE.get(U_INT, m + packet_type$OFFSET);
    }

    public static void packet_type(long m, int v) {
        NATIVE.set(U_INT, m + packet_type$OFFSET, v);
    }

    /** Total length of the packet, all segments. */
    public static int pkt_len(long m) {
        return NATIVE.get(U_INT, m + pkt_len$OFFSET);
    }

    public static void pkt_len(long m, int v) {
        NATIVE.set(U_INT, m + pkt_len$OFFSET, v);
    }

    /** Length of this segment's data. */
    public static int data_len(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + data_len$OFFSET));
    }

    public static void data_len(long m, int v) {
        NATIVE.set(U_SHORT, m + data_len$OFFSET, (short) v);
    }

    public static int vlan_tci(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + vlan_tci$OFFSET));
    }

    public static void vlan_tci(long m, int v) {
        NATIVE.set(U_SHORT, m + vlan_tci$OFFSET, (short) v);
    }

    /** {@code hash.rss}: valid when {@link #RTE_MBUF_F_RX_RSS_HASH} is in {@code ol_flags}. */
    public static int hash_rss(long m) {
        return NATIVE.get(U_INT, m + hash_rss$OFFSET);
    }

    public static int buf_len(long m) {
        return Short.toUnsignedInt(NATIVE.get(U_SHORT, m + buf_len$OFFSET));
    }

    /** The {@code struct rte_mempool *} the mbuf belongs to. */
    public static long pool(long m) {
        return NATIVE.get(U_LONG, m + pool$OFFSET);
    }

    public static long next(long m) {
        return NATIVE.get(U_LONG, m + next$OFFSET);
    }

    public static void next(long m, long v) {
        NATIVE.set(U_LONG, m + next$OFFSET, v);
    }

    public static long tx_offload(long m) {
        return NATIVE.get(U_LONG, m + tx_offload$OFFSET);
    }

    public static void tx_offload(long m, long v) {
        NATIVE.set(U_LONG, m + tx_offload$OFFSET, v);
    }

    public static int l2_len(long m) {
        return (int) (tx_offload(m) >>> L2_LEN_SHIFT) & ((1 << L2_LEN_BITS) - 1);
    }

    public static int l3_len(long m) {
        return (int) (tx_offload(m) >>> L3_LEN_SHIFT) & ((1 << L3_LEN_BITS) - 1);
    }

    /** Sets {@code l2_len} and {@code l3_len} (what IP/UDP checksum offload needs), keeping the other bits. */
    public static void l2_l3_len(long m, int l2, int l3) {
        long mask = ((1L << L2_LEN_BITS) - 1) << L2_LEN_SHIFT | ((1L << L3_LEN_BITS) - 1) << L3_LEN_SHIFT;
        long v = ((long) l2 << L2_LEN_SHIFT | (long) l3 << L3_LEN_SHIFT) & mask;
        tx_offload(m, tx_offload(m) & ~mask | v);
    }
}

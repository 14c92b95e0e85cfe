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

/**
 * {@code struct rte_eth_dev_info}, filled by {@link RteEthdev#rte_eth_dev_info_get}: what a port
 * can do — queue counts, offload and RSS capabilities, MTU range, descriptor limits. Read-only
 * for us; the accessors take the segment {@link #allocate} returned.
 */
public final class RteEthDevInfo {
    private RteEthDevInfo() {
    }

    /**
     * Six bits of {@code uint32_t} bit-fields, then two {@code uint16_t}: GCC puts {@code max_nseg}
     * into the bit-fields' unused upper half, so it sits at offset 2 of an 8-byte, 4-aligned struct.
     */
    public static final StructLayout RXSEG_CAPA = MemoryLayout.structLayout(
            JAVA_SHORT, // multi_pools:1, offset_allowed:1, offset_align_log2:4
            JAVA_SHORT.withName("max_nseg"),
            JAVA_SHORT.withName("reserved"),
            MemoryLayout.paddingLayout(2)
    ).withByteAlignment(4).withName("rte_eth_rxseg_capa");

    public static final StructLayout DESC_LIM = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nb_max"),
            JAVA_SHORT.withName("nb_min"),
            JAVA_SHORT.withName("nb_align"),
            JAVA_SHORT.withName("nb_seg_max"),
            JAVA_SHORT.withName("nb_mtu_seg_max")
    ).withName("rte_eth_desc_lim");

    public static final StructLayout PORTCONF = MemoryLayout.structLayout(
            JAVA_SHORT.withName("burst_size"),
            JAVA_SHORT.withName("ring_size"),
            JAVA_SHORT.withName("nb_queues")
    ).withName("rte_eth_dev_portconf");

    public static final StructLayout SWITCH_INFO = MemoryLayout.structLayout(
            ADDRESS.withName("name"),
            JAVA_SHORT.withName("domain_id"),
            JAVA_SHORT.withName("port_id"),
            JAVA_SHORT.withName("rx_domain"),
            MemoryLayout.paddingLayout(2)
    ).withName("rte_eth_switch_info");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("device"),
            ADDRESS.withName("driver_name"),
            JAVA_INT.withName("if_index"),
            JAVA_SHORT.withName("min_mtu"),
            JAVA_SHORT.withName("max_mtu"),
            ADDRESS.withName("dev_flags"),
            JAVA_INT.withName("min_rx_bufsize"),
            JAVA_INT.withName("max_rx_pktlen"),
            JAVA_INT.withName("max_lro_pkt_size"),
            JAVA_SHORT.withName("max_rx_queues"),
            JAVA_SHORT.withName("max_tx_queues"),
            JAVA_INT.withName("max_mac_addrs"),
            JAVA_INT.withName("max_hash_mac_addrs"),
            JAVA_SHORT.withName("max_vfs"),
            JAVA_SHORT.withName("max_vmdq_pools"),
            RXSEG_CAPA.withName("rx_seg_capa"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("rx_offload_capa"),
            JAVA_LONG.withName("tx_offload_capa"),
            JAVA_LONG.withName("rx_queue_offload_capa"),
            JAVA_LONG.withName("tx_queue_offload_capa"),
            JAVA_SHORT.withName("reta_size"),
            JAVA_BYTE.withName("hash_key_size"),
            MemoryLayout.paddingLayout(5),
            JAVA_LONG.withName("flow_type_rss_offloads"),
            RteEthRxconf.LAYOUT.withName("default_rxconf"),
            RteEthTxconf.LAYOUT.withName("default_txconf"),
            JAVA_SHORT.withName("vmdq_queue_base"),
            JAVA_SHORT.withName("vmdq_queue_num"),
            JAVA_SHORT.withName("vmdq_pool_base"),
            DESC_LIM.withName("rx_desc_lim"),
            DESC_LIM.withName("tx_desc_lim"),
            MemoryLayout.paddingLayout(2),
            JAVA_INT.withName("speed_capa"),
            JAVA_SHORT.withName("nb_rx_queues"),
            JAVA_SHORT.withName("nb_tx_queues"),
            JAVA_SHORT.withName("max_rx_mempools"),
            PORTCONF.withName("default_rxportconf"),
            PORTCONF.withName("default_txportconf"),
            MemoryLayout.paddingLayout(6),
            JAVA_LONG.withName("dev_capa"),
            SWITCH_INFO.withName("switch_info"),
            JAVA_INT.withName("err_handle_mode"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("reserved_64s"),
            MemoryLayout.sequenceLayout(2, ADDRESS).withName("reserved_ptrs")
    ).withName("rte_eth_dev_info");

    public static StructLayout layout() {
        return LAYOUT;
    }

    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    public static final long driver_name$OFFSET = StructOffsets.of(LAYOUT, "driver_name");
    public static final long if_index$OFFSET = StructOffsets.of(LAYOUT, "if_index");
    public static final long min_mtu$OFFSET = StructOffsets.of(LAYOUT, "min_mtu");
    public static final long max_mtu$OFFSET = StructOffsets.of(LAYOUT, "max_mtu");
    public static final long max_rx_pktlen$OFFSET = StructOffsets.of(LAYOUT, "max_rx_pktlen");
    public static final long max_rx_queues$OFFSET = StructOffsets.of(LAYOUT, "max_rx_queues");
    public static final long max_tx_queues$OFFSET = StructOffsets.of(LAYOUT, "max_tx_queues");
    public static final long rx_offload_capa$OFFSET = StructOffsets.of(LAYOUT, "rx_offload_capa");
    public static final long tx_offload_capa$OFFSET = StructOffsets.of(LAYOUT, "tx_offload_capa");
    public static final long reta_size$OFFSET = StructOffsets.of(LAYOUT, "reta_size");
    public static final long hash_key_size$OFFSET = StructOffsets.of(LAYOUT, "hash_key_size");
    public static final long flow_type_rss_offloads$OFFSET = StructOffsets.of(LAYOUT, "flow_type_rss_offloads");
    public static final long default_rxconf$OFFSET = StructOffsets.of(LAYOUT, "default_rxconf");
    public static final long default_txconf$OFFSET = StructOffsets.of(LAYOUT, "default_txconf");
    public static final long rx_desc_lim$OFFSET = StructOffsets.of(LAYOUT, "rx_desc_lim");
    public static final long tx_desc_lim$OFFSET = StructOffsets.of(LAYOUT, "tx_desc_lim");
    public static final long nb_rx_queues$OFFSET = StructOffsets.of(LAYOUT, "nb_rx_queues");
    public static final long nb_tx_queues$OFFSET = StructOffsets.of(LAYOUT, "nb_tx_queues");

    /** The PMD's name, e.g. "net_null", "net_af_packet", "net_ice". */
    public static String driver_name(MemorySegment s) {
        return Dpdk.cString(s.get(ADDRESS, driver_name$OFFSET), 256);
    }

    /** The kernel interface the port is bound to (net_tap, af_packet...), 0 if none. */
    public static int if_index(MemorySegment s) {
        return s.get(JAVA_INT, if_index$OFFSET);
    }

    public static int min_mtu(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, min_mtu$OFFSET));
    }

    public static int max_mtu(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, max_mtu$OFFSET));
    }

    public static int max_rx_pktlen(MemorySegment s) {
        return s.get(JAVA_INT, max_rx_pktlen$OFFSET);
    }

    public static int max_rx_queues(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, max_rx_queues$OFFSET));
    }

    public static int max_tx_queues(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, max_tx_queues$OFFSET));
    }

    /** {@code RTE_ETH_RX_OFFLOAD_*} the port can do. */
    public static long rx_offload_capa(MemorySegment s) {
        return s.get(JAVA_LONG, rx_offload_capa$OFFSET);
    }

    /** {@code RTE_ETH_TX_OFFLOAD_*} the port can do. */
    public static long tx_offload_capa(MemorySegment s) {
        return s.get(JAVA_LONG, tx_offload_capa$OFFSET);
    }

    /** RSS redirection table size; 0 where the port has no RSS. */
    public static int reta_size(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, reta_size$OFFSET));
    }

    /** RSS key length in bytes the port takes (40 on most NICs), 0 if not reported. */
    public static int hash_key_size(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, hash_key_size$OFFSET));
    }

    /** {@code RTE_ETH_RSS_*} hash functions the port supports; 0: no RSS. */
    public static long flow_type_rss_offloads(MemorySegment s) {
        return s.get(JAVA_LONG, flow_type_rss_offloads$OFFSET);
    }

    /** The driver's recommended {@code struct rte_eth_rxconf}, a slice of {@code s}. */
    public static MemorySegment default_rxconf(MemorySegment s) {
        return s.asSlice(default_rxconf$OFFSET, RteEthRxconf.LAYOUT);
    }

    /** The driver's recommended {@code struct rte_eth_txconf}, a slice of {@code s}. */
    public static MemorySegment default_txconf(MemorySegment s) {
        return s.asSlice(default_txconf$OFFSET, RteEthTxconf.LAYOUT);
    }

    /** Largest RX ring ({@code rx_desc_lim.nb_max}). */
    public static int rx_desc_max(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, rx_desc_lim$OFFSET));
    }

    /** Largest TX ring ({@code tx_desc_lim.nb_max}). */
    public static int tx_desc_max(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, tx_desc_lim$OFFSET));
    }

    /** Queues configured now. */
    public static int nb_rx_queues(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, nb_rx_queues$OFFSET));
    }

    public static int nb_tx_queues(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, nb_tx_queues$OFFSET));
    }
}

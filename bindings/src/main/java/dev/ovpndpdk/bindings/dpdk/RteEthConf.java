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
 * {@code struct rte_eth_conf} with {@code rte_eth_rxmode}, {@code rte_eth_txmode} and
 * {@code rte_eth_rss_conf}: the port-wide configuration {@link RteEthdev#rte_eth_dev_configure}
 * takes. {@link #allocate} returns it zeroed, which is DPDK's "defaults"; set what differs.
 * The VMDq/DCB parts are opaque bytes: a VPN data plane does not use them.
 */
public final class RteEthConf {
    private RteEthConf() {
    }

    public static final StructLayout RXMODE = MemoryLayout.structLayout(
            JAVA_INT.withName("mq_mode"),
            JAVA_INT.withName("mtu"),
            JAVA_INT.withName("max_lro_pkt_size"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("offloads"),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("reserved_64s"),
            MemoryLayout.sequenceLayout(2, ADDRESS).withName("reserved_ptrs")
    ).withName("rte_eth_rxmode");

    public static final StructLayout TXMODE = MemoryLayout.structLayout(
            JAVA_INT.withName("mq_mode"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("offloads"),
            JAVA_SHORT.withName("pvid"),
            JAVA_BYTE, // hw_vlan_reject_tagged:1, hw_vlan_reject_untagged:1, hw_vlan_insert_pvid:1
            MemoryLayout.paddingLayout(5),
            MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("reserved_64s"),
            MemoryLayout.sequenceLayout(2, ADDRESS).withName("reserved_ptrs")
    ).withName("rte_eth_txmode");

    public static final StructLayout RSS_CONF = MemoryLayout.structLayout(
            ADDRESS.withName("rss_key"),
            JAVA_BYTE.withName("rss_key_len"),
            MemoryLayout.paddingLayout(7),
            JAVA_LONG.withName("rss_hf")
    ).withName("rte_eth_rss_conf");

    /** {@code rx_adv_conf} after {@code rss_conf}: VMDq+DCB, DCB and VMDq receive configuration. */
    private static final long RX_ADV_REST = 2096;
    /** {@code tx_adv_conf}: a union of the VMDq/DCB transmit configurations. */
    private static final long TX_ADV_SIZE = 12;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("link_speeds"),
            MemoryLayout.paddingLayout(4),
            RXMODE.withName("rxmode"),
            TXMODE.withName("txmode"),
            JAVA_INT.withName("lpbk_mode"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.structLayout(
                    RSS_CONF.withName("rss_conf"),
                    MemoryLayout.sequenceLayout(RX_ADV_REST, JAVA_BYTE)).withName("rx_adv_conf"),
            MemoryLayout.sequenceLayout(TX_ADV_SIZE, JAVA_BYTE).withName("tx_adv_conf"),
            JAVA_INT.withName("dcb_capability_en"),
            JAVA_INT.withName("intr_conf"), // lsc:1, rxq:1, rmv:1
            MemoryLayout.paddingLayout(4)
    ).withName("rte_eth_conf");

    public static StructLayout layout() {
        return LAYOUT;
    }

    /** A zeroed {@code struct rte_eth_conf}: no RSS, no offloads, the driver's default MTU. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    public static final long link_speeds$OFFSET = StructOffsets.of(LAYOUT, "link_speeds");
    public static final long rxmode_mq_mode$OFFSET = StructOffsets.of(LAYOUT, "rxmode", "mq_mode");
    public static final long rxmode_mtu$OFFSET = StructOffsets.of(LAYOUT, "rxmode", "mtu");
    public static final long rxmode_offloads$OFFSET = StructOffsets.of(LAYOUT, "rxmode", "offloads");
    public static final long txmode_mq_mode$OFFSET = StructOffsets.of(LAYOUT, "txmode", "mq_mode");
    public static final long txmode_offloads$OFFSET = StructOffsets.of(LAYOUT, "txmode", "offloads");
    public static final long rss_key$OFFSET = StructOffsets.of(LAYOUT, "rx_adv_conf", "rss_conf", "rss_key");
    public static final long rss_key_len$OFFSET = StructOffsets.of(LAYOUT, "rx_adv_conf", "rss_conf", "rss_key_len");
    public static final long rss_hf$OFFSET = StructOffsets.of(LAYOUT, "rx_adv_conf", "rss_conf", "rss_hf");

    public static final long intr_conf$OFFSET = StructOffsets.of(LAYOUT, "intr_conf");

    /** {@code intr_conf.rxq}: the port gives its RX queues interrupt descriptors ({@link RteEthRxIntr}). */
    public static void intr_conf_rxq(MemorySegment s, boolean on) {
        int v = s.get(JAVA_INT, intr_conf$OFFSET);
        s.set(JAVA_INT, intr_conf$OFFSET, on ? v | RteEthRxIntr.INTR_CONF_RXQ : v & ~RteEthRxIntr.INTR_CONF_RXQ);
    }

    /** {@code rxmode.mq_mode}: {@link RteEthdev#RTE_ETH_MQ_RX_NONE} or {@link RteEthdev#RTE_ETH_MQ_RX_RSS}. */
    public static void rxmode_mq_mode(MemorySegment s, int v) {
        s.set(JAVA_INT, rxmode_mq_mode$OFFSET, v);
    }

    public static int rxmode_mq_mode(MemorySegment s) {
        return s.get(JAVA_INT, rxmode_mq_mode$OFFSET);
    }

    /** {@code rxmode.mtu}: L3 MTU; 0 keeps the driver's default (1500). */
    public static void rxmode_mtu(MemorySegment s, int v) {
        s.set(JAVA_INT, rxmode_mtu$OFFSET, v);
    }

    public static int rxmode_mtu(MemorySegment s) {
        return s.get(JAVA_INT, rxmode_mtu$OFFSET);
    }

    /** {@code rxmode.offloads}: {@code RTE_ETH_RX_OFFLOAD_*}, a subset of {@link RteEthDevInfo#rx_offload_capa}. */
    public static void rxmode_offloads(MemorySegment s, long v) {
        s.set(JAVA_LONG, rxmode_offloads$OFFSET, v);
    }

    public static long rxmode_offloads(MemorySegment s) {
        return s.get(JAVA_LONG, rxmode_offloads$OFFSET);
    }

    /** {@code txmode.offloads}: {@code RTE_ETH_TX_OFFLOAD_*}, a subset of {@link RteEthDevInfo#tx_offload_capa}. */
    public static void txmode_offloads(MemorySegment s, long v) {
        s.set(JAVA_LONG, txmode_offloads$OFFSET, v);
    }

    public static long txmode_offloads(MemorySegment s) {
        return s.get(JAVA_LONG, txmode_offloads$OFFSET);
    }

    /**
     * {@code rx_adv_conf.rss_conf}: the key ({@code key} must outlive {@code rte_eth_dev_configure};
     * NULL with length 0 keeps the driver's key) and the hash functions, a subset of
     * {@link RteEthDevInfo#flow_type_rss_offloads}.
     */
    public static void rss_conf(MemorySegment s, MemorySegment key, int keyLen, long hashFunctions) {
        s.set(ADDRESS, rss_key$OFFSET, key);
        s.set(JAVA_BYTE, rss_key_len$OFFSET, (byte) keyLen);
        s.set(JAVA_LONG, rss_hf$OFFSET, hashFunctions);
    }

    public static long rss_hf(MemorySegment s) {
        return s.get(JAVA_LONG, rss_hf$OFFSET);
    }

    public static int rss_key_len(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, rss_key_len$OFFSET));
    }
}

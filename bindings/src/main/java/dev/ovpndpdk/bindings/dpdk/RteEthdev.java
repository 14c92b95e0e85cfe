package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code rte_ethdev.h}: ports — find, inspect, configure, start, and the RX/TX bursts.
 *
 * <p>Set-up calls return what DPDK returns (0 or {@code -errno}; check with
 * {@link RteErrno#checkReturn}) and take structs as MemorySegments. The burst calls are
 * {@code static inline} in DPDK and come from the shim ({@code ovd_rx_burst}...); they take the
 * {@code struct rte_mbuf **} array as a {@code long} address and never allocate. Port and queue
 * ids are {@code uint16_t} in C and {@code int} here.
 *
 * <p>Order of set-up (DPDK's): {@code rte_eth_dev_info_get}, {@code rte_eth_dev_configure},
 * {@code rte_eth_rx_queue_setup}/{@code rte_eth_tx_queue_setup} for every queue,
 * {@code rte_eth_dev_start}; {@code rte_eth_dev_stop}, {@code rte_eth_dev_close} at the end.
 */
public final class RteEthdev {

    public static final int RTE_MAX_ETHPORTS = 32;
    public static final int RTE_ETH_NAME_MAX_LEN = 64;

    // enum rte_eth_rx_mq_mode / rte_eth_tx_mq_mode
    public static final int RTE_ETH_MQ_RX_NONE = 0;
    public static final int RTE_ETH_MQ_RX_RSS = 1;
    public static final int RTE_ETH_MQ_TX_NONE = 0;

    // RSS hash functions (rss_hf, flow_type_rss_offloads)
    public static final long RTE_ETH_RSS_IPV4 = 1L << 2;
    public static final long RTE_ETH_RSS_NONFRAG_IPV4_UDP = 1L << 5;
    public static final long RTE_ETH_RSS_IPV6 = 1L << 8;
    public static final long RTE_ETH_RSS_NONFRAG_IPV6_UDP = 1L << 11;
    /** {@code RTE_ETH_RSS_IP}: every IPv4/IPv6 flow type, hashed on addresses. */
    public static final long RTE_ETH_RSS_IP = 41868L;
    /** {@code RTE_ETH_RSS_UDP}: IPv4/IPv6 UDP, hashed on addresses and ports (what steers peers). */
    public static final long RTE_ETH_RSS_UDP = 133152L;

    // RX offloads (rx_offload_capa, rxmode.offloads)
    public static final long RTE_ETH_RX_OFFLOAD_IPV4_CKSUM = 1L << 1;
    public static final long RTE_ETH_RX_OFFLOAD_UDP_CKSUM = 1L << 2;
    public static final long RTE_ETH_RX_OFFLOAD_CHECKSUM = 14L;
    public static final long RTE_ETH_RX_OFFLOAD_SCATTER = 1L << 13;
    public static final long RTE_ETH_RX_OFFLOAD_RSS_HASH = 1L << 19;

    // TX offloads (tx_offload_capa, txmode.offloads)
    public static final long RTE_ETH_TX_OFFLOAD_IPV4_CKSUM = 1L << 1;
    public static final long RTE_ETH_TX_OFFLOAD_UDP_CKSUM = 1L << 2;
    public static final long RTE_ETH_TX_OFFLOAD_MULTI_SEGS = 1L << 15;
    /** All mbufs of a queue from one pool, refcnt 1: the driver may free them in bulk. */
    public static final long RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE = 1L << 16;

    public static final int RTE_ETH_LINK_DOWN = 0;
    public static final int RTE_ETH_LINK_UP = 1;
    public static final int RTE_ETH_LINK_FULL_DUPLEX = 1;
    public static final int RTE_ETH_LINK_SPEED_AUTONEG = 0;

    private static final MethodHandle OVD_RX_BURST = Dpdk.critical("ovd_rx_burst",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_TX_BURST = Dpdk.critical("ovd_tx_burst",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_TX_PREPARE = Dpdk.critical("ovd_tx_prepare",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_RX_QUEUE_COUNT = Dpdk.critical("ovd_rx_queue_count",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private static final MethodHandle RTE_ETH_DEV_COUNT_AVAIL = Dpdk.downcall("rte_eth_dev_count_avail",
            FunctionDescriptor.of(JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_IS_VALID_PORT = Dpdk.downcall("rte_eth_dev_is_valid_port",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_GET_PORT_BY_NAME = Dpdk.downcall("rte_eth_dev_get_port_by_name",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_GET_NAME_BY_PORT = Dpdk.downcall("rte_eth_dev_get_name_by_port",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_INFO_GET = Dpdk.downcall("rte_eth_dev_info_get",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_CONFIGURE = Dpdk.downcall("rte_eth_dev_configure",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_ADJUST_NB_RX_TX_DESC = Dpdk.downcall("rte_eth_dev_adjust_nb_rx_tx_desc",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, ADDRESS));
    private static final MethodHandle RTE_ETH_RX_QUEUE_SETUP = Dpdk.downcall("rte_eth_rx_queue_setup",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle RTE_ETH_TX_QUEUE_SETUP = Dpdk.downcall("rte_eth_tx_queue_setup",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_START = Dpdk.downcall("rte_eth_dev_start",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_STOP = Dpdk.downcall("rte_eth_dev_stop",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_CLOSE = Dpdk.downcall("rte_eth_dev_close",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_MACADDR_GET = Dpdk.downcall("rte_eth_macaddr_get",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_LINK_GET_NOWAIT = Dpdk.downcall("rte_eth_link_get_nowait",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_STATS_GET = Dpdk.downcall("rte_eth_stats_get",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_STATS_RESET = Dpdk.downcall("rte_eth_stats_reset",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_PROMISCUOUS_ENABLE = Dpdk.downcall("rte_eth_promiscuous_enable",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_ALLMULTICAST_ENABLE = Dpdk.downcall("rte_eth_allmulticast_enable",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_SET_MTU = Dpdk.downcall("rte_eth_dev_set_mtu",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_GET_MTU = Dpdk.downcall("rte_eth_dev_get_mtu",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RTE_ETH_DEV_SOCKET_ID = Dpdk.downcall("rte_eth_dev_socket_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle RTE_ETH_DEV_RSS_HASH_UPDATE = Dpdk.downcall("rte_eth_dev_rss_hash_update",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));

    private RteEthdev() {
    }

    // ---- fast path (shim) ----

    /**
     * {@code rte_eth_rx_burst} (inline; {@code ovd_rx_burst}): receives up to {@code n} packets into
     * {@code pkts[0..n)} ({@code struct rte_mbuf **}); returns how many. The caller owns them.
     */
    public static int rte_eth_rx_burst(int port, int queue, long pkts, int n) {
        try {
            return (int) OVD_RX_BURST.invokeExact(port, queue, pkts, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_eth_tx_burst} (inline; {@code ovd_tx_burst}): queues {@code pkts[0..n)} for
     * sending; returns how many the driver took (it frees those). The rest still belong to the
     * caller: retry or free them (and count the drop).
     */
    public static int rte_eth_tx_burst(int port, int queue, long pkts, int n) {
        try {
            return (int) OVD_TX_BURST.invokeExact(port, queue, pkts, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_eth_tx_prepare} (inline; {@code ovd_tx_prepare}): lets the driver fix up checksum
     * offload requests; returns how many of {@code pkts} are ready ({@code rte_errno} says why the
     * next one is not).
     */
    public static int rte_eth_tx_prepare(int port, int queue, long pkts, int n) {
        try {
            return (int) OVD_TX_PREPARE.invokeExact(port, queue, pkts, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_rx_queue_count} (inline): used RX descriptors, or {@code -errno} (-ENOTSUP for many drivers). */
    public static int rte_eth_rx_queue_count(int port, int queue) {
        try {
            return (int) OVD_RX_QUEUE_COUNT.invokeExact(port, queue);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    // ---- ports ----

    /** {@code uint16_t rte_eth_dev_count_avail(void)}. */
    public static int rte_eth_dev_count_avail() {
        try {
            return Short.toUnsignedInt((short) RTE_ETH_DEV_COUNT_AVAIL.invokeExact());
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eth_dev_is_valid_port(uint16_t port_id)}: 1 or 0. */
    public static int rte_eth_dev_is_valid_port(int port) {
        try {
            return (int) RTE_ETH_DEV_IS_VALID_PORT.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_eth_dev_get_port_by_name(name, &port_id)}: the port id of a device ("net_null0",
     * "0000:3b:00.0", "net_tap0"), or {@code -errno} (-ENODEV) when there is none.
     */
    public static int rte_eth_dev_get_port_by_name(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment port = a.allocate(JAVA_SHORT);
            int rc = (int) RTE_ETH_DEV_GET_PORT_BY_NAME.invokeExact(a.allocateFrom(name), port);
            return rc < 0 ? rc : Short.toUnsignedInt(port.get(JAVA_SHORT, 0));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_dev_get_name_by_port(port_id, name)}: the device name, or null when the port is invalid. */
    public static String rte_eth_dev_get_name_by_port(int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(RTE_ETH_NAME_MAX_LEN);
            int rc = (int) RTE_ETH_DEV_GET_NAME_BY_PORT.invokeExact((short) port, name);
            return rc < 0 ? null : name.getString(0);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eth_dev_info_get(port_id, struct rte_eth_dev_info *)}: fills {@link RteEthDevInfo}. */
    public static int rte_eth_dev_info_get(int port, MemorySegment devInfo) {
        try {
            return (int) RTE_ETH_DEV_INFO_GET.invokeExact((short) port, devInfo);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eth_dev_configure(port_id, nb_rx_q, nb_tx_q, const struct rte_eth_conf *)}: see {@link RteEthConf}. */
    public static int rte_eth_dev_configure(int port, int nbRxQueues, int nbTxQueues, MemorySegment conf) {
        try {
            return (int) RTE_ETH_DEV_CONFIGURE.invokeExact((short) port, (short) nbRxQueues, (short) nbTxQueues, conf);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rx_desc, &nb_tx_desc)}: clamps the ring
     * sizes to what the driver takes. Returns the adjusted sizes packed as {@code rx << 16 | tx},
     * or {@code -errno}.
     */
    public static int rte_eth_dev_adjust_nb_rx_tx_desc(int port, int nbRxDesc, int nbTxDesc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rx = a.allocateFrom(JAVA_SHORT, (short) nbRxDesc);
            MemorySegment tx = a.allocateFrom(JAVA_SHORT, (short) nbTxDesc);
            int rc = (int) RTE_ETH_DEV_ADJUST_NB_RX_TX_DESC.invokeExact((short) port, rx, tx);
            return rc < 0 ? rc : Short.toUnsignedInt(rx.get(JAVA_SHORT, 0)) << 16 | Short.toUnsignedInt(tx.get(JAVA_SHORT, 0));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_eth_rx_queue_setup(port_id, rx_queue_id, nb_rx_desc, socket_id, rx_conf, mb_pool)}:
     * {@code rxConf} may be {@link MemorySegment#NULL} (the driver's defaults); received packets
     * come from {@code mempool}.
     */
    public static int rte_eth_rx_queue_setup(int port, int queue, int nbDesc, int socketId, MemorySegment rxConf, long mempool) {
        try {
            return (int) RTE_ETH_RX_QUEUE_SETUP.invokeExact((short) port, (short) queue, (short) nbDesc, socketId, rxConf, mempool);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_tx_queue_setup(port_id, tx_queue_id, nb_tx_desc, socket_id, tx_conf)}: {@code txConf} may be NULL. */
    public static int rte_eth_tx_queue_setup(int port, int queue, int nbDesc, int socketId, MemorySegment txConf) {
        try {
            return (int) RTE_ETH_TX_QUEUE_SETUP.invokeExact((short) port, (short) queue, (short) nbDesc, socketId, txConf);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    public static int rte_eth_dev_start(int port) {
        try {
            return (int) RTE_ETH_DEV_START.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** Stops RX/TX; no worker may be in a burst call on this port. */
    public static int rte_eth_dev_stop(int port) {
        try {
            return (int) RTE_ETH_DEV_STOP.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** Releases the port (its queues' mbufs go back to their pools); stop it first. */
    public static int rte_eth_dev_close(int port) {
        try {
            return (int) RTE_ETH_DEV_CLOSE.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_macaddr_get(port_id, struct rte_ether_addr *)}: see {@link RteEtherAddr}. */
    public static int rte_eth_macaddr_get(int port, MemorySegment mac) {
        try {
            return (int) RTE_ETH_MACADDR_GET.invokeExact((short) port, mac);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_link_get_nowait(port_id, struct rte_eth_link *)}: see {@link RteEthLink}; does not wait for autoneg. */
    public static int rte_eth_link_get_nowait(int port, MemorySegment link) {
        try {
            return (int) RTE_ETH_LINK_GET_NOWAIT.invokeExact((short) port, link);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_stats_get(port_id, struct rte_eth_stats *)}: see {@link RteEthStats}. */
    public static int rte_eth_stats_get(int port, MemorySegment stats) {
        try {
            return (int) RTE_ETH_STATS_GET.invokeExact((short) port, stats);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    public static int rte_eth_stats_reset(int port) {
        try {
            return (int) RTE_ETH_STATS_RESET.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    public static int rte_eth_promiscuous_enable(int port) {
        try {
            return (int) RTE_ETH_PROMISCUOUS_ENABLE.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    public static int rte_eth_allmulticast_enable(int port) {
        try {
            return (int) RTE_ETH_ALLMULTICAST_ENABLE.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_dev_set_mtu(port_id, mtu)}: L3 MTU. */
    public static int rte_eth_dev_set_mtu(int port, int mtu) {
        try {
            return (int) RTE_ETH_DEV_SET_MTU.invokeExact((short) port, (short) mtu);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_dev_get_mtu(port_id, &mtu)}: the MTU, or {@code -errno}. */
    public static int rte_eth_dev_get_mtu(int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mtu = a.allocate(JAVA_SHORT);
            int rc = (int) RTE_ETH_DEV_GET_MTU.invokeExact((short) port, mtu);
            return rc < 0 ? rc : Short.toUnsignedInt(mtu.get(JAVA_SHORT, 0));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_dev_socket_id(port_id)}: the port's NUMA node, {@link RteLcore#SOCKET_ID_ANY} if unknown. */
    public static int rte_eth_dev_socket_id(int port) {
        try {
            return (int) RTE_ETH_DEV_SOCKET_ID.invokeExact((short) port);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_eth_dev_rss_hash_update(port_id, struct rte_eth_rss_conf *)}: {@link RteEthConf#RSS_CONF}. */
    public static int rte_eth_dev_rss_hash_update(int port, MemorySegment rssConf) {
        try {
            return (int) RTE_ETH_DEV_RSS_HASH_UPDATE.invokeExact((short) port, rssConf);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.DpdkException;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteEthConf;
import dev.ovpndpdk.bindings.dpdk.RteEthDevInfo;
import dev.ovpndpdk.bindings.dpdk.RteEthdev;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.ovpndpdk.dataplane.port.dpdk.DpdkBackend.RING_SIZE;

/**
 * One of the DPDK backend's ethdevs configured and started: a queue pair per worker, RSS and
 * checksum offloads on the wire where the port has them, RX interrupts when the idle strategy
 * sleeps on them.
 */
final class EthPortSetUp {
    private EthPortSetUp() {
    }

    /**
     * Configures one RX/TX queue pair per worker and starts the port. The wire port gets RSS
     * and receive checksum checking where it has them.
     *
     * @return the checksum offloads switched on (none for the other ports)
     */
    static Offloads setUp(Arena a, int port, DpdkBackend.Config c, long pool, int socket, boolean wire, String what) {
        int queues = c.workers();
        MemorySegment info = RteEthDevInfo.allocate(a);
        RteErrno.checkReturn(RteEthdev.rte_eth_dev_info_get(port, info), "rte_eth_dev_info_get(" + what + ")");
        int maxRx = RteEthDevInfo.max_rx_queues(info);
        int maxTx = RteEthDevInfo.max_tx_queues(info);
        if (maxRx < queues || maxTx < queues) {
            throw new DpdkException(what + " (" + RteEthDevInfo.driver_name(info) + ") has " + Math.min(maxRx, maxTx)
                    + " queue pairs, " + queues + " workers need " + queues
                    + queueHint(RteEthDevInfo.driver_name(info), queues), 22);
        }
        MemorySegment conf = RteEthConf.allocate(a);
        long hf = RteEthDevInfo.flow_type_rss_offloads(info) & (RteEthdev.RTE_ETH_RSS_IP | RteEthdev.RTE_ETH_RSS_UDP);
        if (wire && queues > 1 && hf != 0) {
            RteEthConf.rxmode_mq_mode(conf, RteEthdev.RTE_ETH_MQ_RX_RSS);
            RteEthConf.rss_conf(conf, MemorySegment.NULL, 0, hf);
        }
        // A NIC that checks IPv4 and UDP checksums marks bad frames (RTE_MBUF_F_RX_*_CKSUM_BAD);
        // the wire port hands those to the kernel instead of decrypting them (DpdkWirePort).
        long cksum = wire ? RteEthDevInfo.rx_offload_capa(info)
                & (RteEthdev.RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RteEthdev.RTE_ETH_RX_OFFLOAD_UDP_CKSUM) : 0;
        RteEthConf.rxmode_offloads(conf, cksum);
        // And one that computes UDP checksums on transmit takes IPv6's (the one the transport must have).
        long txCksum = wire ? RteEthDevInfo.tx_offload_capa(info) & RteEthdev.RTE_ETH_TX_OFFLOAD_UDP_CKSUM : 0;
        RteEthConf.txmode_offloads(conf, txCksum);
        // Drivers without RX interrupts ignore the bit; RxInterrupts finds out which have them.
        RteEthConf.intr_conf_rxq(conf, c.rxInterrupts());
        RteErrno.checkReturn(RteEthdev.rte_eth_dev_configure(port, queues, queues, conf), "rte_eth_dev_configure(" + what + ")");
        for (int q = 0; q < queues; q++) {
            RteErrno.checkReturn(RteEthdev.rte_eth_rx_queue_setup(port, q, RING_SIZE, socket, MemorySegment.NULL, pool),
                    "rte_eth_rx_queue_setup(" + what + ", " + q + ")");
            RteErrno.checkReturn(RteEthdev.rte_eth_tx_queue_setup(port, q, RING_SIZE, socket, MemorySegment.NULL),
                    "rte_eth_tx_queue_setup(" + what + ", " + q + ")");
        }
        RteErrno.checkReturn(RteEthdev.rte_eth_dev_start(port), "rte_eth_dev_start(" + what + ")");
        return new Offloads(cksum, txCksum);
    }

    /** Checksum offloads a port was configured with: {@code RTE_ETH_RX_OFFLOAD_*} and {@code RTE_ETH_TX_OFFLOAD_*}. */
    record Offloads(long rx, long tx) {
        boolean udpOnTransmit() {
            return (tx & RteEthdev.RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0;
        }

        /** What the wire port does with checksums, for the start-up line. */
        String describe() {
            boolean ip = (rx & RteEthdev.RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
            boolean udp = (rx & RteEthdev.RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0;
            return "checked on receive " + (ip && udp ? "by the port (IPv4, UDP)" : ip ? "by the port (IPv4)"
                    : udp ? "by the port (UDP)" : "by nobody") + ", IPv6 UDP checksum on transmit by "
                    + (udpOnTransmit() ? "the port" : "the worker");
        }
    }

    private static String queueHint(String driver, int queues) {
        if (driver.contains("af_packet")) {
            return " (add qpairs=" + queues + " to its devargs)";
        }
        if (driver.contains("af_xdp")) {
            return " (queue_count=" + queues + " in its devargs, and as many combined channels on the interface:"
                    + " ethtool -L IFACE combined " + queues + ")";
        }
        return "";
    }
}

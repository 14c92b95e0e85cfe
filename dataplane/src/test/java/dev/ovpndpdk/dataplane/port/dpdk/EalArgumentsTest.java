package dev.ovpndpdk.dataplane.port.dpdk;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire vdev gets one queue per worker unless its devargs say otherwise, and the close log
 * tells a leak from what net_af_xdp keeps (no DPDK needed).
 */
class EalArgumentsTest {
    private static List<String> args(String wirePort, int workers) {
        DpdkBackend.Config c = new DpdkBackend.Config("tun0", new InetSocketAddress("10.0.0.1", 1194), workers, 32,
                List.of("--no-huge"), wirePort, null, List.of(), 0, 0);
        return DpdkBackend.ealArguments(c, "tun0-x");
    }

    @Test
    void afPacketGetsOneFanoutQueuePerWorker() {
        assertTrue(args("net_af_packet0,iface=va", 2).contains("--vdev=net_af_packet0,iface=va,qpairs=2"));
        assertTrue(args("net_af_packet0,iface=va", 1).contains("--vdev=net_af_packet0,iface=va"));
        assertTrue(args("net_af_packet0,iface=va,qpairs=4", 2).contains("--vdev=net_af_packet0,iface=va,qpairs=4"));
    }

    @Test
    void afXdpGetsOneSocketPerWorker() {
        assertTrue(args("net_af_xdp_s,iface=vs", 2).contains("--vdev=net_af_xdp_s,iface=vs,queue_count=2"));
        assertTrue(args("net_af_xdp_s,iface=vs", 1).contains("--vdev=net_af_xdp_s,iface=vs"));
        assertTrue(args("net_af_xdp_s,iface=vs,queue_count=3", 2).contains("--vdev=net_af_xdp_s,iface=vs,queue_count=3"));
    }

    @Test
    void closeLogTellsALeakFromWhatAfXdpKeeps() {
        assertEquals("", DpdkBackend.leftOver(0, "net_af_xdp", 1));
        assertEquals(" (a leak)", DpdkBackend.leftOver(3, "net_af_packet", 1));
        assertTrue(DpdkBackend.leftOver(2049, "net_af_xdp", 1).contains(": 2048 in the kernel's fill and RX rings, 1 sent after"),
                DpdkBackend.leftOver(2049, "net_af_xdp", 1));
        assertTrue(DpdkBackend.leftOver(4100, "net_af_xdp", 2).contains(": 4096 in the kernel's fill and RX rings, 4 sent after"));
        assertTrue(DpdkBackend.leftOver(100, "net_af_xdp", 1).contains(": 100 in the kernel's fill and RX rings, 0 sent after"));
    }
}

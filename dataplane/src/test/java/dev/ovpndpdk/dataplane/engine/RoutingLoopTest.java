package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.DropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Routing-loop protection (if_ovpn.sh 4in4/6in6, spec §4.9): a datagram for a peer's outer
 * address that the host routes back into the tunnel is dropped and counted, not sealed again.
 */
class RoutingLoopTest {
    private TestNet t;

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    /** A UDP datagram from {@code src} to {@code dst}:{@code port}. */
    private static byte[] udp4(String src, String dst, int port) {
        byte[] p = Packets.ipv4(src, dst, 40);
        ByteBuffer.wrap(p).putShort(20, (short) 1194).putShort(22, (short) port);
        return p;
    }

    @Test
    void ourDatagramToThePeerRoutedBackIntoTheTunnelIsDropped() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM);
        // The client (p2p: everything goes to its one peer) reads its own outer datagram to the
        // server's 10.10.0.1:1194 from its tunnel.
        t.client(1).tun.hostSends(udp4("5.5.5.2", "10.10.0.1", 1194));
        t.pump();
        var peer = t.client(1).engine.peer(1).stats();
        assertEquals(1, peer.drops(DropReason.ROUTING_LOOP));
        assertEquals(0, peer.get(Counter.LINK_TX_PACKETS));
        assertEquals(0, t.server.tun.delivered().size());

        // Another port, or another address, on that host is ordinary traffic through the tunnel.
        byte[] other = udp4("5.5.5.2", "10.10.0.1", 53);
        t.client(1).tun.hostSends(other);
        t.pump();
        assertArrayEquals(other, t.server.tun.delivered().poll());
        assertEquals(1, peer.drops(DropReason.ROUTING_LOOP));
    }

    @Test
    void aTcpSegmentToThePeersPortIsNotTakenForALoop() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM);
        byte[] tcp = udp4("5.5.5.2", "10.10.0.1", 1194);
        tcp[9] = 6;
        t.client(1).tun.hostSends(tcp);
        t.pump();
        assertArrayEquals(tcp, t.server.tun.delivered().poll());
    }
}

package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.peer.IpPrefix;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.DropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest {
    private TestNet t;

    private TestNet net(int clients, CipherAlg alg) {
        t = new TestNet(AeadEngines.select("auto"), clients, alg);
        return t;
    }

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    @ParameterizedTest
    @EnumSource(CipherAlg.class)
    void packetsCrossTheTunnelBothWays(CipherAlg alg) {
        net(1, alg);
        byte[] ping = Packets.ipv4("5.5.5.2", "5.5.5.1", 100);
        t.client(1).tun.hostSends(ping);
        t.pump();
        assertArrayEquals(ping, t.server.tun.delivered().poll());

        // One peer: if_ovpn's single-peer shortcut sends everything to it, even in MP mode.
        byte[] reply6 = Packets.ipv6("fd00::1", "fd00::2", 1300);
        t.server.tun.hostSends(reply6);
        t.pump();
        assertArrayEquals(reply6, t.client(1).tun.delivered().poll());

        byte[] reply4 = Packets.ipv4("5.5.5.1", "5.5.5.2", 1400);
        t.server.tun.hostSends(reply4);
        t.pump();
        assertArrayEquals(reply4, t.client(1).tun.delivered().poll());

        var peer = t.client(1).engine.peer(1).stats();
        assertEquals(1, peer.get(Counter.VPN_TX_PACKETS));
        assertEquals(120, peer.get(Counter.VPN_TX_BYTES));
        assertEquals(144, peer.get(Counter.LINK_TX_BYTES));
        assertEquals(2, peer.get(Counter.VPN_RX_PACKETS));
        assertEquals(1340 + 1420, peer.get(Counter.VPN_RX_BYTES));
    }

    @Test
    void serverRoutesByVpnAddressAndClientsReachEachOther() {
        net(3, CipherAlg.AES_256_GCM);
        for (int c = 1; c <= 3; c++) {
            t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5." + (c + 1), 50 + c));
        }
        t.pump();
        for (int c = 1; c <= 3; c++) {
            byte[] got = t.client(c).tun.delivered().poll();
            assertEquals(70 + c, got.length, "client " + c);
        }
        // client 1 → client 3 through the server: the server's host routes it back into the tunnel
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.4", 10));
        t.pump();
        byte[] atServer = t.server.tun.delivered().poll();
        t.server.tun.hostSends(atServer);
        t.pump();
        assertArrayEquals(atServer, t.client(3).tun.delivered().poll());
    }

    /**
     * Counters are summed per burst and per run of one peer's packets (BurstTally): a burst
     * that interleaves peers, both ways, must still count every packet and byte to the right
     * peer and to the engine.
     */
    @Test
    void countersOfABurstThatInterleavesPeers() {
        net(3, CipherAlg.AES_256_GCM);
        int[] order = {1, 2, 2, 3, 1, 1, 3, 2, 1};
        for (int c : order) {
            t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5." + (c + 1), 40 + c));
        }
        t.pump();
        for (int c : order) {
            t.client(c).tun.hostSends(Packets.ipv4("5.5.5." + (c + 1), "5.5.5.1", 60 + c));
        }
        t.pump();
        var total = t.server.engine.stats();
        long vpnTx = 0;
        long vpnRx = 0;
        for (int c = 1; c <= 3; c++) {
            int cc = c;
            long n = java.util.Arrays.stream(order).filter(x -> x == cc).count();
            var ps = t.server.engine.peer(c).stats();
            assertEquals(n, t.client(c).tun.delivered().size(), "client " + c);
            assertEquals(n, ps.get(Counter.VPN_TX_PACKETS), "peer " + c);
            // Packets.ipv4's size is the payload: 20 bytes of IPv4 header on top, 24 of data channel on the wire.
            assertEquals(n * (20 + 40 + c), ps.get(Counter.VPN_TX_BYTES), "peer " + c);
            assertEquals(n * (20 + 40 + c + 24), ps.get(Counter.LINK_TX_BYTES), "peer " + c);
            assertEquals(n, ps.get(Counter.VPN_RX_PACKETS), "peer " + c);
            assertEquals(n * (20 + 60 + c), ps.get(Counter.VPN_RX_BYTES), "peer " + c);
            assertEquals(n, ps.get(Counter.LINK_RX_PACKETS), "peer " + c);
            assertEquals(n * (20 + 60 + c + 24), ps.get(Counter.LINK_RX_BYTES), "peer " + c);
            vpnTx += n * (20 + 40 + c);
            vpnRx += n * (20 + 60 + c);
        }
        assertEquals(order.length, total.get(Counter.VPN_TX_PACKETS));
        assertEquals(vpnTx, total.get(Counter.VPN_TX_BYTES));
        assertEquals(order.length, total.get(Counter.LINK_RX_PACKETS));
        assertEquals(vpnRx, total.get(Counter.VPN_RX_BYTES));
    }

    @Test
    void irouteReachesTheLanBehindAClientAndRpfDropsSpoofedSources() {
        net(2, CipherAlg.AES_256_GCM);
        t.server.engine.addRoute(IpPrefix.parse("11.11.11.0/24"), 1);
        t.server.engine.addRoute(IpPrefix.parse("11.11.0.0/16"), 2);
        RequestException taken = assertThrows(RequestException.class,
                () -> t.server.engine.addRoute(IpPrefix.parse("11.11.11.0/24"), 2), "one owner per prefix");
        assertEquals(RequestException.Kind.EXISTS, taken.kind());
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "11.11.11.11", 20));
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "11.11.12.1", 20));
        t.pump();
        assertEquals(1, t.client(1).tun.delivered().size(), "longest prefix wins");
        assertEquals(1, t.client(2).tun.delivered().size());

        t.client(1).tun.hostSends(Packets.ipv4("11.11.11.11", "5.5.5.1", 20)); // its LAN: allowed
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.3", "5.5.5.1", 20));    // client 2's address: spoofed
        t.client(1).tun.hostSends(Packets.ipv4("192.0.2.1", "5.5.5.1", 20));  // nobody's
        t.pump();
        assertEquals(1, t.server.tun.delivered().size());
        assertEquals(2, t.server.engine.stats().drops(DropReason.SOURCE_NOT_ALLOWED));
        assertEquals(2, t.server.engine.peer(1).stats().drops(DropReason.SOURCE_NOT_ALLOWED));

        // One burst mixing allowed and refused sources of two peers: the per-burst RPF memo
        // (last source that passed, and its peer) must not let a different peer or source through.
        t.client(1).tun.hostSends(Packets.ipv4("11.11.11.11", "5.5.5.1", 20));
        t.client(1).tun.hostSends(Packets.ipv4("11.11.11.11", "5.5.5.1", 21));
        t.client(2).tun.hostSends(Packets.ipv4("11.11.11.11", "5.5.5.1", 22)); // client 1's LAN, from client 2
        t.client(1).tun.hostSends(Packets.ipv4("11.11.11.12", "5.5.5.1", 23));
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.3", "5.5.5.1", 24));
        t.client(1).tun.hostSends(Packets.ipv4("11.11.11.11", "5.5.5.1", 25));
        t.pump();
        assertEquals(1 + 4, t.server.tun.delivered().size());
        assertEquals(2 + 2, t.server.engine.stats().drops(DropReason.SOURCE_NOT_ALLOWED));
        assertEquals(1, t.server.engine.peer(2).stats().drops(DropReason.SOURCE_NOT_ALLOWED));
    }

    @Test
    void keyRolloverOnOneSideKeepsTrafficFlowing() {
        net(1, CipherAlg.AES_256_GCM);
        KeyMaterial k1 = t.newMaterial();
        TestNet.installKey(t.server.engine, 1, KeySlots.Slot.SECONDARY, 1, CipherAlg.CHACHA20_POLY1305, k1, Role.SERVER);
        TestNet.installKey(t.client(1).engine, 1, KeySlots.Slot.SECONDARY, 1, CipherAlg.CHACHA20_POLY1305, k1, Role.CLIENT);
        t.client(1).engine.swapKeys(1);
        for (int i = 0; i < 5; i++) {
            t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.1", 30));
            t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 30));
        }
        t.pump();
        assertEquals(5, t.server.tun.delivered().size(), "server decrypts key-id 1 from its secondary");
        assertEquals(5, t.client(1).tun.delivered().size(), "client decrypts key-id 0 from its secondary");
        t.server.engine.swapKeys(1);
        t.client(1).engine.delKey(1, KeySlots.Slot.SECONDARY);
        t.server.engine.delKey(1, KeySlots.Slot.SECONDARY);
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 30));
        t.pump();
        assertEquals(6, t.client(1).tun.delivered().size());
        assertEquals(1, t.server.engine.key(1, KeySlots.Slot.PRIMARY).keyId());
        assertThrows(RequestException.class, () -> t.server.engine.key(1, KeySlots.Slot.SECONDARY));
        assertThrows(RequestException.class, () -> t.server.engine.swapKeys(1));
    }

    @Test
    void keepaliveSendsPingsWhenIdleAndExpiresASilentPeer() {
        net(1, CipherAlg.AES_256_GCM);
        t.server.engine.setKeepalive(1, 1, 3, t.now);
        t.client(1).engine.setKeepalive(1, 1, 3, t.now);
        for (int s = 0; s < 5; s++) {
            t.advanceSeconds(1.1);
            t.pump();
            t.pump();
        }
        assertTrue(t.server.engine.stats().get(Counter.KEEPALIVE_TX) >= 4);
        assertTrue(t.client(1).engine.stats().get(Counter.KEEPALIVE_RX) >= 4);
        assertTrue(t.server.events.isEmpty(), "pings keep both alive: " + t.server.events);
        assertTrue(t.client(1).tun.delivered().isEmpty(), "pings are never delivered");

        // The client goes silent (its engine stops running): the server expires it.
        t.client(1).engine.setKeepalive(1, 0, 0, t.now);
        t.client(1).wire.slowPathEnabled(false);
        t.net.inject(TestNet.clientAddress(9), TestNet.serverAddress(), new byte[]{0});
        for (int s = 0; s < 4; s++) {
            t.advanceSeconds(1.1);
            t.server.worker().doWork(t.now);
            t.server.engine.tick(t.now);
        }
        assertEquals(1, t.server.events.size(), t.server.events.toString());
        Notification.PeerDeleted d = assertInstanceOf(Notification.PeerDeleted.class, t.server.events.get(0));
        assertEquals(1, d.peerId());
        assertEquals(DeleteReason.EXPIRED, d.reason());
        assertTrue(d.counters().get("keepalive_tx") >= 4);
        assertThrows(RequestException.class, () -> t.server.engine.peer(1));
    }

    @Test
    void peerFloatsAfterAnAuthenticPacketFromANewAddress() {
        net(1, CipherAlg.AES_256_GCM);
        Remote moved = Remote.of(new java.net.InetSocketAddress(TestNet.ip("10.10.1.3"), 1194));
        t.net.bind(moved); // its inbox; the client's worker keeps its old queue, fine for a test
        t.client(1).wire.sourceAddress(moved);
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.1", 40));
        t.pump();
        assertEquals(moved, t.server.engine.peer(1).remote());
        assertEquals(List.of(new Notification.PeerFloat(1, moved)), t.server.events);
        assertEquals(1, t.server.engine.stats().get(Counter.FLOATS));
    }

    @Test
    void junkAndControlPacketsGoToTheSlowPathAndTheTunnelKeepsWorking() {
        net(1, CipherAlg.AES_256_GCM);
        Remote stranger = TestNet.clientAddress(7);
        t.net.inject(stranger, TestNet.serverAddress(), "foo\n".getBytes());
        t.net.inject(stranger, TestNet.serverAddress(), new byte[]{(byte) Wire.opcodeByte(Wire.P_CONTROL_V1, 0), 1, 2, 3, 4, 5});
        t.net.inject(stranger, TestNet.serverAddress(), new byte[]{(byte) Wire.opcodeByte(Wire.P_DATA_V1, 0), 1, 2, 3, 4, 5});
        t.net.inject(stranger, TestNet.serverAddress(), new byte[]{0x48, 0, 0, 1, 0, 0, 0, 9}); // truncated data
        t.net.inject(stranger, TestNet.serverAddress(), new byte[]{0x48, 0, 0, 42, 0, 0, 0, 9, 1, 2}); // unknown peer
        byte[] fake = new byte[100];
        fake[0] = 0x48;
        fake[3] = 1;
        fake[7] = 5;
        t.net.inject(stranger, TestNet.serverAddress(), fake); // peer 1, forged
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.1", 40));
        t.pump();
        assertEquals(1, t.server.tun.delivered().size());
        assertEquals(2, t.server.wire.slowPath().size(), "junk and control reach the OpenVPN process");
        var s = t.server.engine.stats();
        assertEquals(1, s.drops(DropReason.DATA_V1));
        assertEquals(1, s.drops(DropReason.MALFORMED));
        assertEquals(1, s.drops(DropReason.UNKNOWN_PEER));
        assertEquals(1, s.drops(DropReason.AUTH_FAILED));
        assertEquals(TestNet.clientAddress(1), t.server.engine.peer(1).remote(), "a forged packet does not float the peer");
    }

    @Test
    void badRequestsAreRefusedWithAReason() {
        net(1, CipherAlg.AES_256_GCM);
        Engine srv = t.server.engine;
        RequestException e = assertThrows(RequestException.class, () -> srv.newPeer(1, 1, null, (java.net.Inet4Address) TestNet.ip("5.5.5.9"), null, null, 0));
        assertEquals(RequestException.Kind.EXISTS, e.kind());
        e = assertThrows(RequestException.class, () -> srv.newPeer(2, 2, null, null, null, null, 0));
        assertEquals(RequestException.Kind.INVALID, e.kind());
        e = assertThrows(RequestException.class, () -> srv.newPeer(2, 2, null, (java.net.Inet4Address) TestNet.ip("5.5.5.2"), null, null, 0));
        assertEquals(RequestException.Kind.ADDRESS_IN_USE, e.kind());
        e = assertThrows(RequestException.class, () -> srv.newPeer(2, 2, null, (java.net.Inet4Address) TestNet.ip("127.0.0.1"), null, null, 0));
        assertEquals(RequestException.Kind.INVALID, e.kind());
        e = assertThrows(RequestException.class, () -> srv.delPeer(99));
        assertEquals(RequestException.Kind.NOT_FOUND, e.kind());
        e = assertThrows(RequestException.class, () -> srv.setKeepalive(1, -1, 5, 0));
        assertEquals(RequestException.Kind.INVALID, e.kind());
        e = assertThrows(RequestException.class, () -> t.client(1).engine.addRoute(IpPrefix.parse("10.0.0.0/8"), 1));
        assertEquals(RequestException.Kind.NOT_SUPPORTED, e.kind());
    }

    /**
     * Beyond SCAN_ALL_UP_TO peers a tick looks at one slice of the table: a peer whose timeout
     * passed expires within SWEEP_TICKS ticks, each peer exactly once per sweep, and no tick
     * looks at all of them.
     */
    @Test
    void manyPeersExpireWithinOneSweep() throws Exception {
        Engine e = new Engine(Engine.Config.defaults(dev.ovpndpdk.dataplane.peer.Mode.MP, 1),
                dev.ovpndpdk.aesni.AeadEngines.select("jdk"));
        try {
            List<Notification> events = new java.util.ArrayList<>();
            e.addListener(events::add);
            int n = Engine.SCAN_ALL_UP_TO + 1000;
            for (int id = 1; id <= n; id++) {
                e.newPeer(id, id, null, (java.net.Inet4Address) java.net.InetAddress.getByAddress(
                        new byte[] {10, (byte) (id >> 16), (byte) (id >> 8), (byte) id}), null, null, 0);
                e.setKeepalive(id, 1, 5, 0);
            }
            long late = 6_000_000_000L; // past every peer's 5 s timeout
            int expiredByOneTick = -1;
            for (int tick = 0; tick < Engine.SWEEP_TICKS; tick++) {
                e.tick(late);
                if (tick == 0) {
                    expiredByOneTick = events.size();
                }
            }
            assertTrue(expiredByOneTick > 0 && expiredByOneTick < n / 2, expiredByOneTick + " of " + n + " in the first tick");
            assertEquals(n, events.size(), "every peer once, within one sweep");
            assertEquals(n, events.stream().map(x -> ((Notification.PeerDeleted) x).peerId()).distinct().count());
            assertEquals(0, e.table().size());
        } finally {
            e.close();
        }
    }

    @Test
    void deletingAPeerNotifiesAndZeroesItsKeysAfterTheGracePeriod() {
        net(1, CipherAlg.AES_256_GCM);
        t.server.engine.delPeer(1);
        assertEquals(1, t.server.events.size());
        assertEquals(DeleteReason.USERSPACE, ((Notification.PeerDeleted) t.server.events.get(0)).reason());
        assertEquals(1, t.server.engine.grace().pending(), "the key waits for the worker");
        t.pump(); // the worker passes a quiescent state; the next tick frees the key
        t.server.engine.tick(t.now);
        assertEquals(0, t.server.engine.grace().pending());
    }

    @Test
    void p2pNewPeerReplacesTheOldOneWithTeardown() {
        net(1, CipherAlg.AES_256_GCM);
        Engine c = t.client(1).engine;
        c.newPeer(7, 7, TestNet.serverAddress().toSocketAddress(), null, null, null, t.now);
        assertEquals(1, c.table().size());
        Notification.PeerDeleted d = (Notification.PeerDeleted) t.client(1).events.get(0);
        assertEquals(1, d.peerId());
        assertEquals(DeleteReason.TEARDOWN, d.reason());
    }

    @Test
    void withTwoPeersAnUnknownDestinationHasNoRoute() {
        net(2, CipherAlg.AES_256_GCM);
        t.server.tun.hostSends(Packets.ipv6("fd00::1", "fd00::2", 100));
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.99", 100));
        t.server.tun.hostSends(new byte[]{0x00, 1, 2, 3});
        t.pump();
        assertEquals(2, t.server.engine.stats().drops(DropReason.NO_ROUTE));
        assertEquals(1, t.server.engine.stats().drops(DropReason.NOT_IP));
        assertTrue(t.client(1).tun.delivered().isEmpty());
        assertTrue(t.client(2).tun.delivered().isEmpty());
    }
}

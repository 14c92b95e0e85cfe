package dev.ovpndpdk.dataplane.peer;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PeerTableTest {
    private static Peer peer(int id, String vpn4, String vpn6) throws Exception {
        return new Peer(id, id, new InetSocketAddress("192.0.2.1", 1000 + id),
                vpn4 == null ? null : (Inet4Address) InetAddress.getByName(vpn4),
                vpn6 == null ? null : (Inet6Address) InetAddress.getByName(vpn6), 2, null, 0);
    }

    private static int v4(String a) throws Exception {
        return Remote.toInt(InetAddress.getByName(a).getAddress(), 0);
    }

    @Test
    void lookupsFollowEveryChange() throws Exception {
        PeerTable t = new PeerTable(Mode.MP);
        Peer a = peer(1, "10.8.0.2", "fd00::2");
        Peer b = peer(2, "10.8.0.3", null);
        t.add(a);
        Snapshot one = t.current();
        assertSame(a, one.route4(v4("192.168.9.9")), "one peer: the shortcut takes everything");
        t.add(b);
        t.addRoute(IpPrefix.parse("192.168.0.0/16"), 2);
        t.addRoute(IpPrefix.parse("192.168.1.0/24"), 1);
        t.addRoute(IpPrefix.parse("fd01::/64"), 1);
        Snapshot s = t.current();
        assertSame(b, s.route4(v4("10.8.0.3")));
        assertSame(b, s.route4(v4("192.168.9.9")));
        assertSame(a, s.route4(v4("192.168.1.9")), "the longest prefix wins");
        assertNull(s.route4(v4("172.16.0.1")));
        byte[] six = InetAddress.getByName("fd01::7").getAddress();
        assertSame(a, s.route6(Remote.toLong(six, 0), Remote.toLong(six, 8)));
        assertEquals(List.of(IpPrefix.parse("192.168.1.0/24"), IpPrefix.parse("fd01::/64")), s.routesOf(1));
        assertSame(b, s.route(IpPrefix.parse("192.168.0.0/16")));
        assertArrayEquals(new Peer[] {a, b}, s.peersById());

        assertSame(a, t.remove(1));
        Snapshot after = t.current();
        assertNull(after.byId(1));
        assertSame(b, after.route4(v4("192.168.1.9")), "the peer's iroutes went with it");
        assertNull(after.route(IpPrefix.parse("192.168.1.0/24")));
        assertEquals(List.of(), after.routesOf(1));
        assertNull(after.byVpnAddress(InetAddress.getByName("fd00::2")));
        // A worker still holding the old snapshot sees the table as it was.
        assertSame(a, s.byId(1));
        assertSame(a, s.route4(v4("192.168.1.9")));
        assertEquals(1, after.size());
        assertEquals(2, s.size());
    }

    @Test
    void refusesTakenIdsAndAddresses() throws Exception {
        PeerTable t = new PeerTable(Mode.MP);
        t.add(peer(1, "10.8.0.2", "fd00::2"));
        assertThrows(IllegalArgumentException.class, () -> t.add(peer(1, "10.8.0.9", null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.add(peer(2, "10.8.0.2", null)));
        assertEquals("VPN address 10.8.0.2 belongs to peer 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.add(peer(3, null, "fd00::2")));
        t.remove(1);
        t.add(peer(2, "10.8.0.2", "fd00::2")); // free again
        assertEquals(1, t.size());
    }

    @Test
    void routesMoveAndGo() throws Exception {
        PeerTable t = new PeerTable(Mode.MP);
        t.add(peer(1, "10.8.0.2", null));
        t.add(peer(2, "10.8.0.3", null));
        IpPrefix p = IpPrefix.parse("10.20.0.0/16");
        t.addRoute(p, 1);
        t.addRoute(p, 2); // replaces the owner
        assertEquals(List.of(), t.current().routesOf(1));
        assertEquals(List.of(p), t.current().routesOf(2));
        assertEquals(false, t.removeRoute(p, 1));
        assertEquals(true, t.removeRoute(p, 2));
        assertNull(t.current().route4(v4("10.20.1.1")));
        assertEquals(List.of(), t.current().routesOf(2));
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * An immutable view of the peer table: peer-id → peer, VPN IPv4/IPv6 → peer, the iroute
 * prefix table (and each peer's iroutes), the single-peer shortcut. The control thread
 * derives a new one for every change and publishes it through {@link PeerTable}; a worker
 * reads one per burst and never blocks (ARCHITECTURE.md, "Peers, keys and snapshots").
 *
 * <p>Every map is a {@link HashTrie}, so a derived snapshot shares all but the changed paths
 * with its parent: a change costs O(log n) time and allocation, and a snapshot itself is a
 * handful of references.
 */
public final class Snapshot {
    private final Mode mode;
    private final HashTrie<Peer> byId;
    private final HashTrie<Peer> byVpn4;
    private final HashTrie<Peer> byVpn6;
    private final PrefixTable routes;
    /** Peer-id → that peer's iroutes, for GET_PEER and for removing them with the peer. */
    private final HashTrie<List<IpPrefix>> routesByPeer;
    private final Peer single;
    private final long version;

    private Snapshot(Mode mode, HashTrie<Peer> byId, HashTrie<Peer> byVpn4, HashTrie<Peer> byVpn6,
                     PrefixTable routes, HashTrie<List<IpPrefix>> routesByPeer, long version) {
        this.mode = mode;
        this.byId = byId;
        this.byVpn4 = byVpn4;
        this.byVpn6 = byVpn6;
        this.routes = routes;
        this.routesByPeer = routesByPeer;
        this.version = version;
        // if_ovpn's shortcut (spec §4.4): with exactly one peer, it gets everything.
        this.single = byId.size() == 1 ? byId.any() : null;
    }

    static Snapshot empty(Mode mode) {
        return new Snapshot(mode, HashTrie.empty(), HashTrie.empty(), HashTrie.empty(), PrefixTable.EMPTY,
                HashTrie.empty(), 0);
    }

    // --- deriving (control thread) ----------------------------------------------------------------

    Snapshot withPeer(Peer p) {
        HashTrie<Peer> v4 = byVpn4;
        HashTrie<Peer> v6 = byVpn6;
        Inet4Address a4 = p.vpnIpv4();
        if (a4 != null) {
            v4 = v4.put(0, key4(a4), p);
        }
        Inet6Address a6 = p.vpnIpv6();
        if (a6 != null) {
            byte[] b = a6.getAddress();
            v6 = v6.put(Remote.toLong(b, 0), Remote.toLong(b, 8), p);
        }
        return new Snapshot(mode, byId.put(0, p.id(), p), v4, v6, routes, routesByPeer, version + 1);
    }

    /** Without the peer and its iroutes. */
    Snapshot withoutPeer(Peer p) {
        HashTrie<Peer> v4 = byVpn4;
        HashTrie<Peer> v6 = byVpn6;
        Inet4Address a4 = p.vpnIpv4();
        if (a4 != null) {
            v4 = v4.remove(0, key4(a4));
        }
        Inet6Address a6 = p.vpnIpv6();
        if (a6 != null) {
            byte[] b = a6.getAddress();
            v6 = v6.remove(Remote.toLong(b, 0), Remote.toLong(b, 8));
        }
        PrefixTable r = routes;
        for (IpPrefix prefix : routesOf(p.id())) {
            r = r.without(prefix);
        }
        return new Snapshot(mode, byId.remove(0, p.id()), v4, v6, r, routesByPeer.remove(0, p.id()), version + 1);
    }

    /** With {@code prefix} routed to {@code p}, which must be in this snapshot and the prefix unrouted. */
    Snapshot withRoute(IpPrefix prefix, Peer p) {
        List<IpPrefix> list = new ArrayList<>(routesOf(p.id()));
        list.add(prefix);
        return new Snapshot(mode, byId, byVpn4, byVpn6, routes.with(prefix, p),
                routesByPeer.put(0, p.id(), List.copyOf(list)), version + 1);
    }

    Snapshot withoutRoute(IpPrefix prefix, Peer p) {
        List<IpPrefix> list = new ArrayList<>(routesOf(p.id()));
        list.remove(prefix);
        HashTrie<List<IpPrefix>> byPeer = list.isEmpty() ? routesByPeer.remove(0, p.id())
                : routesByPeer.put(0, p.id(), List.copyOf(list));
        return new Snapshot(mode, byId, byVpn4, byVpn6, routes.without(prefix), byPeer, version + 1);
    }

    private static long key4(Inet4Address a) {
        return Remote.toInt(a.getAddress(), 0) & 0xFFFFFFFFL;
    }

    // --- reading ----------------------------------------------------------------------------------

    public Mode mode() {
        return mode;
    }

    public long version() {
        return version;
    }

    public int size() {
        return byId.size();
    }

    /** Every peer, in no particular order. */
    public void forEachPeer(Consumer<Peer> action) {
        byId.forEach(action);
    }

    /** The peers of one slice of the table ({@link HashTrie#forEachInSlice}). */
    public void forEachPeerInSlice(int slice, int slices, Consumer<Peer> action) {
        byId.forEachInSlice(slice, slices, action);
    }

    /** The first peer the visitor answers true for, or null; allocation-free for a reused visitor. */
    public Peer findPeer(HashTrie.Visitor<Peer> visitor) {
        return byId.find(visitor);
    }

    /** Every peer by ascending peer-id: a copy, O(n log n). */
    public Peer[] peersById() {
        Peer[] all = new Peer[size()];
        int[] n = {0};
        byId.forEach(p -> all[n[0]++] = p);
        Arrays.sort(all, Comparator.comparingInt(Peer::id));
        return all;
    }

    public Peer byId(int peerId) {
        return byId.get(0, peerId);
    }

    /** The peer with VPN address {@code a} (either family), or null. */
    public Peer byVpnAddress(java.net.InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? byVpn4.get(0, Remote.toInt(b, 0) & 0xFFFFFFFFL)
                : byVpn6.get(Remote.toLong(b, 0), Remote.toLong(b, 8));
    }

    /** The peer {@code prefix} is routed to (exactly that prefix), or null. */
    public Peer route(IpPrefix prefix) {
        return routes.get(prefix);
    }

    /** The peer's iroutes, in the order they were added. */
    public List<IpPrefix> routesOf(int peerId) {
        List<IpPrefix> l = routesByPeer.get(0, peerId);
        return l == null ? List.of() : l;
    }

    /** The peer to send a tunnel packet for IPv4 {@code dst} to, or null (no route). */
    public Peer route4(int dst) {
        Peer s = single;
        return s != null ? s : lookup4(dst);
    }

    /** The peer to send a tunnel packet for IPv6 {@code dst} to, or null. */
    public Peer route6(long hi, long lo) {
        Peer s = single;
        return s != null ? s : lookup6(hi, lo);
    }

    /**
     * The peer that owns IPv4 address {@code a}: its VPN address, else the longest iroute.
     * No shortcut: this is what RPF asks (spec §5.3, Linux ovpn_peer_check_by_src).
     */
    public Peer lookup4(int a) {
        Peer p = byVpn4.get(0, a & 0xFFFFFFFFL);
        return p != null ? p : routes.lookup4(a);
    }

    public Peer lookup6(long hi, long lo) {
        Peer p = byVpn6.get(hi, lo);
        return p != null ? p : routes.lookup6(hi, lo);
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of the peer table: peer-id → peer, VPN IPv4/IPv6 → peer, the iroute
 * prefix table and the single-peer shortcut. The control thread builds a new one for every
 * change and publishes it through {@link PeerTable}; a worker reads one per burst and never
 * blocks (ARCHITECTURE.md, "Peers, keys and snapshots").
 */
public final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(Mode.P2P, List.of(), Map.of(), 0);

    private final Mode mode;
    private final Peer[] peers;
    private final IntPeerMap byId;
    private final IntPeerMap byVpn4;
    private final Ipv6PeerMap byVpn6;
    private final PrefixTable routes;
    private final Map<IpPrefix, Peer> routeList;
    private final Peer single;
    private final long version;

    Snapshot(Mode mode, Collection<Peer> peers, Map<IpPrefix, Peer> routes, long version) {
        this.mode = mode;
        this.peers = peers.toArray(new Peer[0]);
        this.version = version;
        Map<Integer, Peer> ids = new HashMap<>();
        Map<Integer, Peer> v4 = new HashMap<>();
        List<Ipv6PeerMap.Entry> v6 = new ArrayList<>();
        for (Peer p : peers) {
            ids.put(p.id(), p);
            Inet4Address a4 = p.vpnIpv4();
            if (a4 != null) {
                v4.put(Remote.toInt(a4.getAddress(), 0), p);
            }
            Inet6Address a6 = p.vpnIpv6();
            if (a6 != null) {
                byte[] b = a6.getAddress();
                v6.add(new Ipv6PeerMap.Entry(Remote.toLong(b, 0), Remote.toLong(b, 8), p));
            }
        }
        this.byId = new IntPeerMap(ids);
        this.byVpn4 = new IntPeerMap(v4);
        this.byVpn6 = new Ipv6PeerMap(v6);
        this.routeList = Map.copyOf(routes);
        this.routes = new PrefixTable(routes);
        // if_ovpn's shortcut (spec §4.4): with exactly one peer, it gets everything.
        this.single = this.peers.length == 1 ? this.peers[0] : null;
    }

    public Mode mode() {
        return mode;
    }

    public long version() {
        return version;
    }

    public int size() {
        return peers.length;
    }

    /** All peers; the array is shared, do not modify it. */
    public Peer[] peers() {
        return peers;
    }

    public Map<IpPrefix, Peer> routes() {
        return routeList;
    }

    public Peer byId(int peerId) {
        return byId.get(peerId);
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
        Peer p = byVpn4.get(a);
        return p != null ? p : routes.lookup4(a);
    }

    public Peer lookup6(long hi, long lo) {
        Peer p = byVpn6.get(hi, lo);
        return p != null ? p : routes.lookup6(hi, lo);
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The published peer table. The control thread is the only writer: each change builds a new
 * {@link Snapshot} and publishes it with one release store ({@code volatile} write); workers
 * read {@link #current()} once per burst. No reader ever waits for a writer.
 */
public final class PeerTable {
    private final Mode mode;
    private final Map<Integer, Peer> peers = new LinkedHashMap<>();
    private final Map<IpPrefix, Peer> routes = new LinkedHashMap<>();
    private volatile Snapshot current;
    private long version;

    public PeerTable(Mode mode) {
        this.mode = mode;
        this.current = new Snapshot(mode, peers.values(), routes, 0);
    }

    public Mode mode() {
        return mode;
    }

    public Snapshot current() {
        return current;
    }

    /** Control thread only. */
    public Peer get(int id) {
        return peers.get(id);
    }

    /**
     * Adds a peer (NEW_PEER). P2P mode keeps one peer: the caller removes the old one first
     * (Linux replaces it with reason TEARDOWN, spec §3.2).
     *
     * @throws IllegalArgumentException for a duplicate id or VPN address
     */
    public void add(Peer p) {
        if (peers.containsKey(p.id())) {
            throw new IllegalArgumentException("peer " + p.id() + " exists");
        }
        if (mode == Mode.P2P && !peers.isEmpty()) {
            throw new IllegalArgumentException("p2p mode has one peer; delete peer "
                    + peers.keySet().iterator().next() + " first");
        }
        checkVpnAddressesFree(p.vpnIpv4(), p.vpnIpv6());
        peers.put(p.id(), p);
        publish();
    }

    /**
     * Refuses VPN addresses another peer has (either may be null).
     *
     * @throws IllegalArgumentException naming the peer that has it
     */
    public void checkVpnAddressesFree(Inet4Address vpn4, Inet6Address vpn6) {
        for (Peer o : peers.values()) {
            if (vpn4 != null && vpn4.equals(o.vpnIpv4())) {
                throw new IllegalArgumentException("VPN address " + vpn4.getHostAddress() + " belongs to peer " + o.id());
            }
            if (vpn6 != null && vpn6.equals(o.vpnIpv6())) {
                throw new IllegalArgumentException("VPN address " + IpText.of(vpn6) + " belongs to peer " + o.id());
            }
        }
    }

    /** Removes a peer and its iroutes; returns it, or null if unknown. */
    public Peer remove(int id) {
        Peer p = peers.remove(id);
        if (p != null) {
            routes.values().removeIf(q -> q == p);
            p.markRemoved();
            publish();
        }
        return p;
    }

    /** iroute add: {@code prefix} lives behind peer {@code id}. Replaces an existing owner. */
    public void addRoute(IpPrefix prefix, int id) {
        Peer p = peers.get(id);
        if (p == null) {
            throw new IllegalArgumentException("no peer " + id);
        }
        routes.put(prefix, p);
        publish();
    }

    /** iroute del; returns false if there was no such route for that peer. */
    public boolean removeRoute(IpPrefix prefix, int id) {
        Peer p = routes.get(prefix);
        if (p == null || p.id() != id) {
            return false;
        }
        routes.remove(prefix);
        publish();
        return true;
    }

    public int size() {
        return peers.size();
    }

    private void publish() {
        current = new Snapshot(mode, peers.values(), routes, ++version);
    }

    /** Whether a VPN address can be given to a peer (spec §5.11: not loopback, multicast, …). */
    public static void checkVpnAddress(java.net.InetAddress a) {
        boolean bad = a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()
                || (a instanceof Inet4Address && a.getHostAddress().equals("255.255.255.255"))
                || (a instanceof Inet6Address && isV4CompatOrMapped(a.getAddress()));
        if (bad) {
            throw new IllegalArgumentException("VPN address " + IpText.of(a) + " is not a unicast address");
        }
    }

    private static boolean isV4CompatOrMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) || (b[10] == 0 && b[11] == 0);
    }
}

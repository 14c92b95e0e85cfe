package dev.ovpndpdk.dataplane.peer;

import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * The published peer table. The control thread is the only writer: each change derives a
 * new {@link Snapshot} from the current one (sharing all but the changed paths, O(log n))
 * and publishes it with one release store ({@code volatile} write); workers read
 * {@link #current()} once per burst. No reader ever waits for a writer. The current
 * snapshot is also the control thread's own table: there is no second copy to keep in step.
 */
public final class PeerTable {
    private final Mode mode;
    private volatile Snapshot current;

    public PeerTable(Mode mode) {
        this.mode = mode;
        this.current = Snapshot.empty(mode);
    }

    public Mode mode() {
        return mode;
    }

    public Snapshot current() {
        return current;
    }

    /** Control thread only. */
    public Peer get(int id) {
        return current.byId(id);
    }

    /**
     * Adds a peer (NEW_PEER). P2P mode keeps one peer: the caller removes the old one first
     * (Linux replaces it with reason TEARDOWN, spec §3.2).
     *
     * @throws IllegalArgumentException for a duplicate id or VPN address
     */
    public void add(Peer p) {
        Snapshot s = current;
        if (s.byId(p.id()) != null) {
            throw new IllegalArgumentException("peer " + p.id() + " exists");
        }
        if (mode == Mode.P2P && s.size() > 0) {
            throw new IllegalArgumentException("p2p mode has one peer; delete peer "
                    + s.findPeer(q -> true).id() + " first");
        }
        checkVpnAddressesFree(p.vpnIpv4(), p.vpnIpv6());
        current = s.withPeer(p);
    }

    /**
     * Refuses VPN addresses another peer has (either may be null).
     *
     * @throws IllegalArgumentException naming the peer that has it
     */
    public void checkVpnAddressesFree(Inet4Address vpn4, Inet6Address vpn6) {
        Snapshot s = current;
        Peer o = vpn4 == null ? null : s.byVpnAddress(vpn4);
        if (o != null) {
            throw new IllegalArgumentException("VPN address " + vpn4.getHostAddress() + " belongs to peer " + o.id());
        }
        o = vpn6 == null ? null : s.byVpnAddress(vpn6);
        if (o != null) {
            throw new IllegalArgumentException("VPN address " + IpText.of(vpn6) + " belongs to peer " + o.id());
        }
    }

    /** Removes a peer and its iroutes; returns it, or null if unknown. */
    public Peer remove(int id) {
        Snapshot s = current;
        Peer p = s.byId(id);
        if (p != null) {
            p.markRemoved();
            current = s.withoutPeer(p);
        }
        return p;
    }

    /** iroute add: {@code prefix} lives behind peer {@code id}. Replaces an existing owner. */
    public void addRoute(IpPrefix prefix, int id) {
        Snapshot s = current;
        Peer p = s.byId(id);
        if (p == null) {
            throw new IllegalArgumentException("no peer " + id);
        }
        Peer owner = s.route(prefix);
        if (owner != null) {
            s = s.withoutRoute(prefix, owner);
        }
        current = s.withRoute(prefix, p);
    }

    /** iroute del; returns false if there was no such route for that peer. */
    public boolean removeRoute(IpPrefix prefix, int id) {
        Snapshot s = current;
        Peer p = s.route(prefix);
        if (p == null || p.id() != id) {
            return false;
        }
        current = s.withoutRoute(prefix, p);
        return true;
    }

    public int size() {
        return current.size();
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

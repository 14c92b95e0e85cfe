package dev.ovpndpdk.dataplane.peer;

import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.CounterSet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * One remote OpenVPN endpoint (spec §5.3). Immutable identity (peer-id, VPN addresses) plus
 * the mutable hot state the snapshots share: key slots, remote transport address (it
 * floats), last RX/TX times, counters.
 *
 * <p>Threads: the control thread creates peers and changes keys and keepalive settings;
 * workers read keys once per burst, update {@link #lastRxNanos}/{@link #lastTxNanos} with
 * opaque stores, and float the remote. Two workers may stamp lastTx at the same moment: the
 * later value wins, both are "now", and we live with that.
 */
public final class Peer {
    private static final VarHandle LAST_RX;
    private static final VarHandle LAST_TX;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LAST_RX = l.findVarHandle(Peer.class, "lastRx", long.class);
            LAST_TX = l.findVarHandle(Peer.class, "lastTx", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int id;
    private final int txId;
    private final Inet4Address vpnIpv4;
    private final Inet6Address vpnIpv6;
    private final KeySlots keys = new KeySlots();
    private final CounterSet stats;
    /** Our address towards the peer (multihome), null when the socket's own will do. */
    private final Remote local;
    /** {@link #local}'s address as {@link Remote} encodes it, 0 and 0 when none: for the fast path. */
    private final long localHi;
    private final long localLo;

    private volatile Remote remote;
    private volatile long keepaliveIntervalNanos;
    private volatile long keepaliveTimeoutNanos;
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7;
    private volatile long lastRx;
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7;
    private volatile long lastTx;
    private volatile boolean removed;

    /**
     * @param id        the peer-id we expect in received packets (0..0xFFFFFE)
     * @param txId      the peer-id we write into packets we send (usually equal to id)
     * @param local     our address towards the peer, which packets to it leave from (NEW_PEER's
     *                  {@code local}, OpenVPN's --multihome); null: whatever the port's socket uses
     */
    public Peer(int id, int txId, InetSocketAddress remote, Inet4Address vpnIpv4, Inet6Address vpnIpv6,
                int workers, Remote local, long nowNanos) {
        checkIds(id, txId);
        this.id = id;
        this.txId = txId;
        this.remote = remote == null ? null : Remote.of(remote);
        this.vpnIpv4 = vpnIpv4;
        this.vpnIpv6 = vpnIpv6;
        this.stats = new CounterSet(workers);
        this.local = local;
        this.localHi = local == null ? 0 : local.hi();
        this.localLo = local == null ? 0 : local.lo();
        this.lastRx = nowNanos;
        this.lastTx = nowNanos;
    }

    /** Both ids must fit P_DATA_V2's 24 bits, less the "undefined" value 0xFFFFFF. */
    public static void checkIds(int id, int txId) {
        if (id < 0 || id >= Wire.PEER_ID_UNDEF) {
            throw new IllegalArgumentException("peer-id must be 0.." + (Wire.PEER_ID_UNDEF - 1) + ", got " + id);
        }
        if (txId < 0 || txId >= Wire.PEER_ID_UNDEF) {
            throw new IllegalArgumentException("tx peer-id must be 0.." + (Wire.PEER_ID_UNDEF - 1) + ", got " + txId);
        }
    }

    public int id() {
        return id;
    }

    public int txId() {
        return txId;
    }

    public KeySlots keys() {
        return keys;
    }

    public CounterSet stats() {
        return stats;
    }

    public Inet4Address vpnIpv4() {
        return vpnIpv4;
    }

    public Inet6Address vpnIpv6() {
        return vpnIpv6;
    }

    /** Our address towards the peer (multihome), or null. */
    public Remote local() {
        return local;
    }

    /** The high 64 bits of {@link #local}'s IPv6 address; 0 for IPv4 or none. */
    public long localHi() {
        return localHi;
    }

    /** {@link #local}'s IPv4 address, or the low 64 bits of its IPv6 address; 0 for none. */
    public long localLo() {
        return localLo;
    }

    /** The current remote transport address, or null (TCP-style peers, not used yet). */
    public Remote remote() {
        return remote;
    }

    /** Moves the peer to a new remote (float, spec §5.8). Worker or control thread. */
    public void remote(Remote r) {
        remote = r;
    }

    public long lastRxNanos() {
        return lastRx;
    }

    public long lastTxNanos() {
        return lastTx;
    }

    public void touchRx(long nowNanos) {
        LAST_RX.setOpaque(this, nowNanos);
    }

    public void touchTx(long nowNanos) {
        LAST_TX.setOpaque(this, nowNanos);
    }

    /** Keepalive (spec §5.7): 0/0 turns it off. Resets both clocks, as Linux does. */
    public void keepalive(long intervalNanos, long timeoutNanos, long nowNanos) {
        keepaliveIntervalNanos = intervalNanos;
        keepaliveTimeoutNanos = timeoutNanos;
        lastRx = nowNanos;
        lastTx = nowNanos;
    }

    public long keepaliveIntervalNanos() {
        return keepaliveIntervalNanos;
    }

    public long keepaliveTimeoutNanos() {
        return keepaliveTimeoutNanos;
    }

    public boolean removed() {
        return removed;
    }

    /** Marks the peer gone; workers holding an older snapshot stop sending to it. */
    public void markRemoved() {
        removed = true;
    }

    @Override
    public String toString() {
        return "peer " + id + (remote == null ? "" : " (" + remote + ")");
    }
}

package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.PeerTable;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.peer.Snapshot;
import dev.ovpndpdk.dataplane.port.Discards;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.port.WirePort;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.CounterSet;
import dev.ovpndpdk.dataplane.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One worker: the whole fast path, run to completion on its own queues (ARCHITECTURE.md,
 * "The picture"). Each {@link #doWork} call moves at most one burst each way:
 *
 * <pre>
 * wire → tunnel: receive → opcode (slow path unless P_DATA_V2) → peer by peer-id → decrypt
 *                → replay → ping/exit consumed → RPF (MP) → float → deliver
 * tunnel → wire: receive → route by destination → encrypt with the primary key → send
 * keepalive:     pings the control thread asked for
 * in flight:     with an asynchronous crypto engine, decrypt and encrypt are submitted and the
 *                rest of each packet's path runs when the engine gives it back, in the order
 *                the packets came ({@link InFlightPath})
 * </pre>
 *
 * Every entry of a burst ends with one disposition, carried out where it is decided:
 * delivered ({@code tunnel.send}), sent ({@code wire.send}), handed to the slow path
 * ({@code wire.toSlowPath}) — the port owns it from then on — in flight in an asynchronous
 * crypto engine ({@link InFlightPath} holds it until it finishes), or dropped or consumed, which
 * puts its buffer in {@link Discards} on the line that counts it; those go back to the pool at
 * the end of the pass, with one call.
 *
 * <p>Nothing here allocates in steady state (a float allocates one address object), locks, or
 * blocks. All per-packet state lives in the reused {@link PacketBatch}es. Packet and byte
 * counters are summed per burst ({@link BurstTally}) and written once per burst and peer run;
 * drops, rarer, are counted as they happen.
 */
public final class Worker {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final MemorySegment PING = Arena.global().allocate(Wire.PING.length);

    static {
        MemorySegment.copy(Wire.PING, 0, PING, ValueLayout.JAVA_BYTE, 0, Wire.PING.length);
    }

    final int index;
    final WirePort wire;
    final TunnelPort tunnel;
    private final PeerTable table;
    final CounterSet stats;
    private final GracePeriod grace;
    final AeadScratch scratch;
    private final Queue<Notification> events;
    private final Queue<Peer> pingRequests = new ConcurrentLinkedQueue<>();
    private final RemoteMatch remoteMatch = new RemoteMatch();
    /** Where dropped and consumed entries' buffers go (the wire port's: both batches are its kind). */
    final Discards discards;
    /** The batches this pass receives into: one each, or the current one of the in-flight path's ring. */
    private PacketBatch rx;
    private PacketBatch tx;
    private final PacketBatch special;
    /** Packets on an asynchronous crypto engine; null when crypto is synchronous only. */
    private final InFlightPath inFlight;
    private final Peer[] rxPeer;
    private final Peer[] txPeer;
    private final Peer[] specialPeer;
    private final BurstTally linkRx;
    private final BurstTally vpnRx;
    private final BurstTally linkTx;
    private final BurstTally vpnTx;
    /** {@link #sourceBelongsTo}'s memo within one burst: a peer and an IPv4 source that routes to it. */
    Peer rpfPeer;
    private int rpfSource4;

    /**
     * @param queue          this worker's queue on an asynchronous crypto engine, or null
     * @param depth          packets at most in flight on it (a power of two)
     * @param offloadMinSize packets shorter than this stay in software
     */
    Worker(int index, WirePort wire, TunnelPort tunnel, PeerTable table, CounterSet stats,
           GracePeriod grace, AeadScratch scratch, Queue<Notification> events,
           Arena arena, int burst, int slotSize, CryptoQueue queue, int depth, int offloadMinSize) {
        this.index = index;
        this.wire = wire;
        this.tunnel = tunnel;
        this.table = table;
        this.stats = stats;
        this.grace = grace;
        this.scratch = scratch;
        this.events = events;
        this.discards = wire.discards();
        this.rx = wire.newBatch(arena, burst, slotSize);
        this.tx = wire.newBatch(arena, burst, slotSize);
        this.special = new PacketBatch(arena, 8, PacketBatch.HEADROOM + 64);
        this.inFlight = queue == null ? null
                : new InFlightPath(this, queue, depth, offloadMinSize, rx, tx, wire, arena, burst, slotSize);
        this.rxPeer = new Peer[burst];
        this.txPeer = new Peer[burst];
        this.specialPeer = new Peer[special.capacity];
        this.linkRx = new BurstTally(index, stats, Counter.LINK_RX_PACKETS, Counter.LINK_RX_BYTES);
        this.vpnRx = new BurstTally(index, stats, Counter.VPN_RX_PACKETS, Counter.VPN_RX_BYTES);
        this.linkTx = new BurstTally(index, stats, Counter.LINK_TX_PACKETS, Counter.LINK_TX_BYTES);
        this.vpnTx = new BurstTally(index, stats, Counter.VPN_TX_PACKETS, Counter.VPN_TX_BYTES);
    }

    public int index() {
        return index;
    }

    /** This worker's queue on the asynchronous crypto engine, or null. */
    CryptoQueue cryptoQueue() {
        return inFlight == null ? null : inFlight.ring.queue;
    }

    /** Packets between submit and finish on the asynchronous engine (tests, benchmarks). */
    public int inFlight() {
        return inFlight == null ? 0 : inFlight.ring.size();
    }

    /** After the worker's thread stopped: what is still in the engine is dropped, its buffers returned. */
    void abandonInFlight() {
        if (inFlight != null) {
            inFlight.abandon();
        }
    }

    WirePort wire() {
        return wire;
    }

    TunnelPort tunnel() {
        return tunnel;
    }

    /** Control thread: send a keepalive ping to {@code p} soon. */
    void requestPing(Peer p) {
        pingRequests.add(p);
    }

    /**
     * One pass over both directions and the ping queue.
     *
     * @param now monotonic nanoseconds, read once by the caller
     * @return packets handled; 0 lets the idle strategy back off
     */
    public int doWork(long now) {
        if (inFlight != null) {
            inFlight.seen = grace.epoch(); // before the snapshot: dates every key this pass submits with
        }
        Snapshot snap = table.current();
        int work = wireToTunnel(snap, now) + tunnelToWire(snap, now);
        if (inFlight != null && inFlight.ring.size() > 0) {
            work += inFlight.finish(snap, now);
        }
        if (!pingRequests.isEmpty()) {
            work += sendPings(now);
        }
        discards.flush();
        if (inFlight != null && inFlight.ring.size() > 0) {
            // Keys of packets still in the engine stay unreclaimed; and no sleep until they are home.
            grace.quiescent(index, inFlight.ring.oldestEpoch());
            return Math.max(work, 1);
        }
        grace.quiescent(index);
        return work;
    }

    // --- wire → tunnel ------------------------------------------------------------------------

    private int wireToTunnel(Snapshot snap, long now) {
        if (inFlight != null && inFlight.cannotTakeABurst(rx, true)) {
            return 0; // backpressure: the packets wait in the port's queue until the engine has room
        }
        PacketBatch rx = this.rx; // a local: the field changes only between passes, with a ring
        boolean async = inFlight != null;
        int n = wire.receive(rx);
        if (n == 0) {
            return 0;
        }
        MemorySegment mem = rx.memory;
        int out = 0;
        rpfPeer = null; // the RPF memo is per burst: the next burst may see another snapshot
        // A burst is mostly one peer's (peer-id steering): look each id up once per run of it.
        int lastId = -1;
        Peer last = null;
        for (int i = 0; i < n; i++) {
            long off = rx.offset[i];
            int len = rx.length[i];
            // The header once, for the peer lookup here and for decrypt (which does not read it again).
            long head = DataChannel.header(mem, off, len);
            int word = (int) (head >>> 32);
            if (len < 4 || DataChannel.opcodeOf(word) != Wire.P_DATA_V2) {
                toSlowPath(word, len, i);
                continue;
            }
            int peerId = DataChannel.peerIdOf(word);
            Peer peer;
            if (peerId == lastId) {
                peer = last;
            } else {
                peer = peerId == Wire.PEER_ID_UNDEF ? byAddress(snap, i) : snap.byId(peerId);
                lastId = peerId == Wire.PEER_ID_UNDEF ? -1 : peerId; // by address: per packet
                last = peer;
            }
            if (peer == null) {
                // Linux drops these (spec §6 item 2): a data packet we cannot decrypt is no use to OpenVPN either.
                stats.drop(index, DropReason.UNKNOWN_PEER);
                discards.add(rx.handle[i]);
                continue;
            }
            CounterSet ps = peer.stats();
            linkRx.add(peer, len);
            if (async && inFlight.openLater(rx, peer, mem, off, len, head, i, now)) {
                continue;
            }

            KeySlots.Pair keys = peer.keys().current();
            Verdict v = DataChannel.decrypt(keys, scratch, mem, off, len, head, now);
            countOpened(keys.forKeyId(DataChannel.keyIdOf(head)), len, v);
            if (v == Verdict.OK) {
                long inner = off + Wire.CIPHERTEXT_OFFSET;
                int innerLen = len - Wire.CIPHERTEXT_OFFSET;
                authentic(peer, i, now);
                if (snap.mode() == Mode.MP && !sourceBelongsTo(snap, peer, mem, inner)) {
                    drop(rx.handle[i], ps, DropReason.SOURCE_NOT_ALLOWED);
                    continue;
                }
                rx.offset[out] = inner;
                rx.length[out] = innerLen;
                rx.handle[out] = rx.handle[i];
                rxPeer[out] = peer;
                out++;
            } else if (v == Verdict.PING) {
                authentic(peer, i, now);
                stats.add(index, Counter.KEEPALIVE_RX, 1);
                ps.add(index, Counter.KEEPALIVE_RX, 1);
                discards.add(rx.handle[i]); // consumed
            } else if (v == Verdict.OCC_EXIT) {
                authentic(peer, i, now);
                stats.add(index, Counter.EXIT_NOTIFY_RX, 1);
                ps.add(index, Counter.EXIT_NOTIFY_RX, 1);
                discards.add(rx.handle[i]); // consumed
            } else {
                drop(rx.handle[i], ps, DropReason.of(v));
            }
        }
        if (out > 0) {
            settle(rx, rxPeer, out, tunnel.send(rx, out), now, DELIVERED);
        }
        linkRx.flush();
        if (inFlight != null) {
            this.rx = inFlight.submitted(rx, true);
        }
        return n;
    }

    /**
     * Control channel, DATA_V1, junk: to the OpenVPN process where there is one, which then
     * owns the entry whether it could take it or not.
     *
     * @param word the packet's first 4 bytes ({@link DataChannel#header}: zero-filled when shorter)
     */
    private void toSlowPath(int word, int len, int i) {
        if (len >= 1 && DataChannel.opcodeOf(word) == Wire.P_DATA_V1) {
            stats.drop(index, DropReason.DATA_V1);
            discards.add(rx.handle[i]);
        } else if (wire.toSlowPath(rx, i)) {
            stats.add(index, Counter.SLOW_PATH, 1);
        } else if (rx.txDrop[i] != 0) {
            stats.drop(index, DropReason.ofMark(rx.txDrop[i])); // the slow path was full
            rx.txDrop[i] = 0;
        } else {
            stats.drop(index, len < 4 ? DropReason.MALFORMED : DropReason.NOT_DATA); // no slow path here
            discards.add(rx.handle[i]);
        }
    }

    /** Peer-id 0xFFFFFF: look the peer up by source address (Linux, spec §1.2). Rare; a scan. */
    private Peer byAddress(Snapshot snap, int i) {
        return remoteMatch.find(snap, rx.addrV6[i], rx.addrHi[i], rx.addrLo[i], rx.addrPort[i]);
    }

    /** An authenticated, non-replayed packet: the peer is alive, and it may have moved (spec §5.8). */
    private void authentic(Peer peer, int i, long now) {
        authentic(peer, rx.addrV6[i], rx.addrHi[i], rx.addrLo[i], rx.addrPort[i], now);
    }

    void authentic(Peer peer, boolean v6, long hi, long lo, int port, long now) {
        peer.touchRx(now);
        Remote r = peer.remote();
        if (r == null || !r.matches(v6, hi, lo, port)) {
            Remote moved = new Remote(v6, hi, lo, port, 0);
            peer.remote(moved);
            stats.add(index, Counter.FLOATS, 1);
            peer.stats().add(index, Counter.FLOATS, 1);
            events.add(new Notification.PeerFloat(peer.id(), moved));
        }
    }

    /**
     * RPF: the inner source must route back to the peer it came from (spec §5.3). The last
     * IPv4 source that passed, and its peer, are remembered for the rest of the burst (one
     * snapshot): a burst is mostly one flow, and then one lookup serves it.
     */
    boolean sourceBelongsTo(Snapshot snap, Peer peer, MemorySegment mem, long ip) {
        int version = (mem.get(ValueLayout.JAVA_BYTE, ip) & 0xF0) >>> 4;
        if (version == 4) {
            int src = mem.get(BE_INT, ip + 12);
            if (peer == rpfPeer && src == rpfSource4) {
                return true;
            }
            if (snap.lookup4(src) != peer) {
                return false;
            }
            rpfPeer = peer;
            rpfSource4 = src;
            return true;
        }
        return snap.lookup6(mem.get(BE_LONG, ip + 8), mem.get(BE_LONG, ip + 16)) == peer;
    }

    /** The packet in buffer {@code handle} is dropped for {@code r}: counted, and the buffer discarded. */
    void drop(long handle, CounterSet peerStats, DropReason r) {
        count(peerStats, r);
        discards.add(handle);
    }

    /** A drop whose buffer is already gone (a port refused the entry and freed it). */
    void count(CounterSet peerStats, DropReason r) {
        stats.drop(index, r);
        peerStats.drop(index, r);
    }

    // --- tunnel → wire ------------------------------------------------------------------------

    private int tunnelToWire(Snapshot snap, long now) {
        if (inFlight != null && inFlight.cannotTakeABurst(tx, false)) {
            return 0; // as on receive
        }
        PacketBatch tx = this.tx;
        boolean async = inFlight != null;
        int n = tunnel.receive(tx);
        if (n == 0) {
            return 0;
        }
        MemorySegment mem = tx.memory;
        int out = 0;
        for (int i = 0; i < n; i++) {
            long off = tx.offset[i];
            int len = tx.length[i];
            Peer peer = route(snap, mem, off, len);
            if (peer == null) {
                discards.add(tx.handle[i]);
                continue;
            }
            Remote r = peer.remote();
            if (r == null || peer.removed()) {
                stats.drop(index, DropReason.NO_ROUTE);
                discards.add(tx.handle[i]);
                continue;
            }
            if (r.isUdpDestinationOf(mem, off, len)) {
                // Our own datagram for this peer, routed back into the tunnel (if_ovpn.sh's
                // routing-loop protection): sealing it again would send it round and round.
                drop(tx.handle[i], peer.stats(), DropReason.ROUTING_LOOP);
                continue;
            }
            long start = off - Wire.DATA_V2_OVERHEAD;
            if (async && inFlight.sealLater(tx, peer, mem, start, len, i)) {
                continue;
            }
            KeySlots.Pair keys = peer.keys().current();
            Verdict v = DataChannel.encrypt(keys, peer.txId(), scratch, mem, start, len);
            if (v != Verdict.OK) {
                drop(tx.handle[i], peer.stats(), DropReason.of(v));
                continue;
            }
            keys.primary().countUse(index, len);
            tx.offset[out] = start;
            tx.length[out] = len + Wire.DATA_V2_OVERHEAD;
            tx.handle[out] = tx.handle[i];
            setAddress(tx, out, r, peer);
            txPeer[out] = peer;
            out++;
        }
        if (out > 0) {
            settle(tx, txPeer, out, wire.send(tx, out), now, SENT);
        }
        if (inFlight != null) {
            this.tx = inFlight.submitted(tx, false);
        }
        return n;
    }

    // --- in flight ----------------------------------------------------------------------------

    /** The peer a tunnel packet goes to, or null with the drop counted (the caller discards it). */
    private Peer route(Snapshot snap, MemorySegment mem, long off, int len) {
        int version = len >= 1 ? (mem.get(ValueLayout.JAVA_BYTE, off) & 0xF0) >>> 4 : 0;
        Peer peer;
        if (version == 4 && len >= 20) {
            peer = snap.route4(mem.get(BE_INT, off + 16));
        } else if (version == 6 && len >= 40) {
            peer = snap.route6(mem.get(BE_LONG, off + 24), mem.get(BE_LONG, off + 32));
        } else {
            stats.drop(index, DropReason.NOT_IP);
            return null;
        }
        if (peer == null) {
            stats.drop(index, DropReason.NO_ROUTE);
        }
        return peer;
    }

    /** Where entry {@code i} goes: {@code r}, from {@code peer}'s local address if it has one. */
    static void setAddress(PacketBatch b, int i, Remote r, Peer peer) {
        b.addrV6[i] = r.ipv6();
        b.addrHi[i] = r.hi();
        b.addrLo[i] = r.lo();
        b.addrPort[i] = r.port();
        b.srcHi[i] = peer.localHi();
        b.srcLo[i] = peer.localLo();
    }

    /** What {@link #settle} counts a taken packet as. */
    static final int DELIVERED = 0; // decrypted into the tunnel
    static final int SENT = 1;      // encrypted out of the wire
    private static final int PINGS = 2;     // keepalives out of the wire

    /**
     * Counts what a port's send did with entries {@code 0..out-1} of {@code b}: the first
     * {@code sent} taken — unless the port marked one with a reason of its own — the rest a full
     * queue; then forgets their peers.
     */
    void settle(PacketBatch b, Peer[] peers, int out, int sent, long now, int what) {
        for (int k = 0; k < out; k++) {
            Peer p = peers[k];
            if (k < sent && b.txDrop[k] != 0) {
                count(p.stats(), DropReason.ofMark(b.txDrop[k]));
                b.txDrop[k] = 0;
            } else if (k < sent) {
                int len = b.length[k];
                if (what == DELIVERED) {
                    vpnRx.add(p, len);
                } else {
                    p.touchTx(now);
                    linkTx.add(p, len);
                    if (what == SENT) {
                        vpnTx.add(p, len - Wire.DATA_V2_OVERHEAD);
                    } else {
                        stats.add(index, Counter.KEEPALIVE_TX, 1);
                        p.stats().add(index, Counter.KEEPALIVE_TX, 1);
                    }
                }
            } else {
                count(p.stats(), DropReason.TX_FULL); // the port took it and freed it
            }
            peers[k] = null;
        }
        vpnRx.flush();
        linkTx.flush();
        vpnTx.flush();
    }

    /**
     * A key's usage (spec §1.6, {@link dev.ovpndpdk.dataplane.proto.AeadLimits}): every packet
     * its AEAD opened counts, authentic or not; {@code slot} is null when none could open it.
     */
    void countOpened(KeySlot slot, int len, Verdict v) {
        if (v == Verdict.AUTH_FAILED) {
            slot.countFailedVerification(index);
        } else if (v.authenticated()) {
            slot.countUse(index, len - Wire.CIPHERTEXT_OFFSET);
        }
    }

    // --- keepalive ----------------------------------------------------------------------------

    /** Sends the pings the control thread queued: the 16 magic bytes as an ordinary data packet. */
    private int sendPings(long now) {
        int k = 0;
        Peer p;
        while (k < special.capacity && (p = pingRequests.poll()) != null) {
            Remote r = p.remote();
            if (r == null || p.removed()) {
                continue;
            }
            long start = special.slotBase(k) + PacketBatch.HEADROOM;
            MemorySegment.copy(PING, 0, special.memory, start + Wire.DATA_V2_OVERHEAD, Wire.PING.length);
            KeySlots.Pair keys = p.keys().current();
            Verdict v = DataChannel.encrypt(keys, p.txId(), scratch, special.memory, start, Wire.PING.length);
            if (v != Verdict.OK) {
                count(p.stats(), DropReason.of(v)); // the worker's own memory: nothing to free
                continue;
            }
            keys.primary().countUse(index, Wire.PING.length);
            special.offset[k] = start;
            special.length[k] = Wire.DATA_V2_OVERHEAD + Wire.PING.length;
            setAddress(special, k, r, p);
            specialPeer[k] = p;
            k++;
        }
        if (k > 0) {
            settle(special, specialPeer, k, wire.send(special, k), now, PINGS);
        }
        return k;
    }
}

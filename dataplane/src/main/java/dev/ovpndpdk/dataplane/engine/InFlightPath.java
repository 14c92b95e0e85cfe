package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.peer.Snapshot;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.WirePort;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.CounterSet;
import dev.ovpndpdk.dataplane.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A worker's half of asynchronous crypto (docs/engine.md, "Packets in flight"): what
 * {@link Worker} does with a packet when an engine seals or opens it. The worker's loop calls
 * in at three places —
 *
 * <pre>
 * receive:  {@link #openLater} / {@link #sealLater} instead of the synchronous AEAD, then
 *           {@link #submitted} once per burst (one doorbell; the next batch if slots are held)
 * each pass: {@link #finish} — completions, then the rest of each packet's path, in order
 * stop:     {@link #abandon}
 * </pre>
 *
 * — and the packet's path after the engine (replay, keepalive, float, RPF, delivery, sending)
 * runs here with the worker's own counters and helpers, so it is the synchronous path's.
 */
final class InFlightPath {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Packet memory by absolute address, for packets coming back from the engine. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Worker w;
    final CryptoInFlight ring;
    /** Packets shorter than this stay in software (an engine request has a fixed cost). */
    private final int minSize;
    /**
     * With ports whose packets live in the batches' own slots (socket backend), the worker
     * receives into a ring of batches and skips a batch whose slots still hold packets in flight
     * ({@code rxHeld}/{@code txHeld} count them); null for zero-copy ports (DPDK), whose mbufs the
     * entries hold.
     */
    private final PacketBatch[] rxRing;
    private final PacketBatch[] txRing;
    private final int[] rxHeld;
    private final int[] txHeld;
    private int rxAt;
    private int txAt;
    /** Packets the engine finished, on their way on: decrypted to deliver, encrypted to send. */
    private final PacketBatch opened;
    private final PacketBatch sealed;
    private final Peer[] openedPeer;
    private final Peer[] sealedPeer;
    /** The grace-period epoch this pass read before its snapshot; dates what it submits. */
    long seen;

    /**
     * @param rx, tx the worker's first batches (the rings start with them)
     * @param depth  packets at most in flight, a power of two
     */
    InFlightPath(Worker w, CryptoQueue queue, int depth, int minSize, PacketBatch rx, PacketBatch tx,
                 WirePort wire, Arena arena, int burst, int slotSize) {
        this.w = w;
        this.ring = new CryptoInFlight(queue, depth, burst);
        this.minSize = minSize;
        if (rx.overNativeMemory()) {
            // The packets live in the port's buffers (mbufs), which the entry in flight holds:
            // the batch itself can take the next burst at once.
            this.rxRing = null;
            this.txRing = null;
        } else {
            // Slots in flight must not be received into: enough batches for a full engine, and one more.
            int k = depth / burst + 1;
            this.rxRing = batches(rx, k, wire, arena, burst, slotSize);
            this.txRing = batches(tx, k, wire, arena, burst, slotSize);
        }
        this.rxHeld = rxRing == null ? null : new int[rxRing.length];
        this.txHeld = txRing == null ? null : new int[txRing.length];
        this.opened = PacketBatch.overNativeMemory(burst, rx.maxPacket());
        this.sealed = PacketBatch.overNativeMemory(burst, rx.maxPacket());
        this.openedPeer = new Peer[burst];
        this.sealedPeer = new Peer[burst];
    }

    /**
     * After a receive burst's loop: submits what it staged (one doorbell), and returns the batch
     * the next burst of that direction goes into — the next of the ring when this one's slots
     * are held by packets in flight.
     */
    PacketBatch submitted(PacketBatch current, boolean receive) {
        ring.submit();
        PacketBatch[] batches = receive ? rxRing : txRing;
        if (batches == null) {
            return current;
        }
        if (receive && rxHeld[rxAt] > 0) {
            rxAt = (rxAt + 1) % batches.length;
            return batches[rxAt];
        }
        if (!receive && txHeld[txAt] > 0) {
            txAt = (txAt + 1) % batches.length;
            return batches[txAt];
        }
        return current;
    }

    /**
     * With an engine: whether a burst received now might not fit — the in-flight ring has less
     * than a burst's room, or (slot-based ports) the next batch's slots still hold packets in
     * flight. Then the direction is skipped for the pass: backpressure, not drops.
     */
    boolean cannotTakeABurst(PacketBatch next, boolean receive) {
        int[] held = receive ? rxHeld : txHeld;
        return ring.depth() - ring.size() < next.capacity || held != null && held[receive ? rxAt : txAt] > 0;
    }

    /**
     * Receive with an engine: entry {@code i} goes into the in-flight ring — to the engine, or
     * opened in software in its place when it is short or its key has no session there — unless
     * nothing is in flight and software would open it anyway: then false, and the caller opens
     * it inline. True when the entry has its disposition (in flight, or dropped here).
     */
    boolean openLater(PacketBatch rx, Peer peer, MemorySegment mem, long off, int len, long head, int i, long now) {
        KeySlot slot = DataChannel.openingSlot(peer.keys().current(), head, len);
        boolean offload = slot != null && slot.asyncDecrypt() != null && len >= minSize;
        if (!offload && ring.size() == 0) {
            return false; // nothing to keep order with
        }
        if (slot == null) {
            w.drop(rx.handle[i], peer.stats(), DropReason.of(DataChannel.whyNotOpened(head, len)));
            return true;
        }
        if (!DataChannel.mayBeNew(slot, head, now)) {
            // Already seen (read-only check): no device request for it. Counted as the
            // synchronous path counts a replay; a forged id never moves the window either way.
            w.drop(rx.handle[i], peer.stats(), DropReason.REPLAY);
            return true;
        }
        if (ring.isFull()) {
            w.drop(rx.handle[i], peer.stats(), DropReason.CRYPTO_BUSY);
            return true;
        }
        int e = ring.take(seen, false, peer, slot, rx.handle[i], mem.address() + off, len, rxRing == null ? -1 : rxAt);
        ring.addrV6[e] = rx.addrV6[i];
        ring.addrHi[e] = rx.addrHi[i];
        ring.addrLo[e] = rx.addrLo[i];
        ring.addrPort[e] = rx.addrPort[i];
        if (rxRing != null) {
            rxHeld[rxAt]++;
        }
        if (offload) {
            ring.stage(e, slot.asyncDecrypt());
        } else {
            boolean ok = DataChannel.openNow(slot, w.scratch, mem, off, len, (int) head);
            ring.doneNow(e, ok ? CryptoCompletions.OK : CryptoCompletions.AUTH_FAILED);
        }
        return true;
    }

    /**
     * Send with an engine, as {@link #openLater}: the header and packet-id are written now (ids
     * leave in the order packets came), the sealing is the engine's or, for a short packet or a
     * key without a session, software's in its place.
     */
    boolean sealLater(PacketBatch tx, Peer peer, MemorySegment mem, long start, int len, int i) {
        KeySlot slot = peer.keys().current().primary();
        boolean offload = slot != null && slot.asyncEncrypt() != null && len >= minSize;
        if (!offload && ring.size() == 0) {
            return false;
        }
        if (ring.isFull()) {
            w.drop(tx.handle[i], peer.stats(), DropReason.CRYPTO_BUSY);
            return true;
        }
        Verdict v = DataChannel.writeHeader(slot, peer.txId(), mem, start, len);
        if (v != Verdict.OK) {
            w.drop(tx.handle[i], peer.stats(), DropReason.of(v));
            return true;
        }
        slot.countUse(w.index, len); // sealed now or by the engine: the key's usage either way
        // The destination is read at finish: a peer that floated meanwhile gets the packet where it is now.
        int e = ring.take(seen, true, peer, slot, tx.handle[i], mem.address() + start, len + Wire.DATA_V2_OVERHEAD,
                txRing == null ? -1 : txAt);
        if (txRing != null) {
            txHeld[txAt]++;
        }
        if (offload) {
            ring.stage(e, slot.asyncEncrypt());
        } else {
            DataChannel.sealNow(slot, w.scratch, mem, start, len);
            ring.doneNow(e, CryptoCompletions.OK);
        }
        return true;
    }

    /**
     * Collects what the engine finished and carries each packet's path on, oldest first and
     * only in the order they were taken: decrypted ones through the replay window (only now,
     * after authentication, and by this worker alone), keepalive, float and RPF to the tunnel;
     * encrypted ones to the wire. A peer deleted or a key removed while its packets were in
     * flight drops them with a reason; their memory was kept by the grace period.
     */
    int finish(Snapshot snap, long now) {
        ring.poll();
        w.rpfPeer = null;
        int nOpened = 0;
        int nSealed = 0;
        int finished = 0;
        int e;
        while ((e = ring.ready()) >= 0) {
            if (nOpened == opened.capacity || nSealed == sealed.capacity) {
                sendFinished(nOpened, nSealed, now);
                nOpened = 0;
                nSealed = 0;
            }
            if (ring.sealing[e]) {
                if (finishSeal(e, nSealed)) {
                    nSealed++;
                }
            } else if (finishOpen(snap, e, nOpened, now)) {
                nOpened++;
            }
            int b = ring.batch[e];
            if (b >= 0) {
                if (ring.sealing[e]) {
                    txHeld[b]--;
                } else {
                    rxHeld[b]--;
                }
            }
            ring.release(e);
            finished++;
        }
        sendFinished(nOpened, nSealed, now);
        return finished;
    }

    private void sendFinished(int nOpened, int nSealed, long now) {
        if (nOpened > 0) {
            w.settle(opened, openedPeer, nOpened, w.tunnel.send(opened, nOpened), now, Worker.DELIVERED);
        }
        if (nSealed > 0) {
            w.settle(sealed, sealedPeer, nSealed, w.wire.send(sealed, nSealed), now, Worker.SENT);
        }
    }

    /** A decryption back from the engine; true when it became entry {@code k} of {@link #opened}. */
    private boolean finishOpen(Snapshot snap, int e, int k, long now) {
        Peer peer = ring.peer[e];
        KeySlot slot = ring.key[e];
        long h = ring.handle[e];
        CounterSet ps = peer.stats();
        byte status = ring.status[e];
        if (status == CryptoInFlight.BUSY) {
            w.drop(h, ps, DropReason.CRYPTO_BUSY);
            return false;
        }
        if (status != CryptoCompletions.OK && status != CryptoCompletions.AUTH_FAILED) {
            w.drop(h, ps, DropReason.CRYPTO_FAILED);
            return false;
        }
        if (peer.removed()) {
            w.drop(h, ps, DropReason.UNKNOWN_PEER); // deleted while the packet was in flight
            return false;
        }
        if (peer.keys().current().forKeyId(slot.keyId()) != slot) {
            w.drop(h, ps, DropReason.UNKNOWN_KEY); // the key was deleted or replaced in flight
            return false;
        }
        long at = ring.packet[e];
        int len = ring.length[e];
        if (status == CryptoCompletions.AUTH_FAILED) {
            slot.countFailedVerification(w.index);
            w.drop(h, ps, DropReason.AUTH_FAILED);
            return false;
        }
        slot.countUse(w.index, len - Wire.CIPHERTEXT_OFFSET); // the key's usage: opened and authentic
        Verdict v = DataChannel.afterOpen(slot, ALL, at, len, ALL.get(BE_INT, at + Wire.PACKET_ID_OFFSET), now);
        if (v == Verdict.OK) {
            w.authentic(peer, ring.addrV6[e], ring.addrHi[e], ring.addrLo[e], ring.addrPort[e], now);
            long inner = at + Wire.CIPHERTEXT_OFFSET;
            if (snap.mode() == Mode.MP && !w.sourceBelongsTo(snap, peer, ALL, inner)) {
                w.drop(h, ps, DropReason.SOURCE_NOT_ALLOWED);
                return false;
            }
            opened.offset[k] = inner;
            opened.length[k] = len - Wire.CIPHERTEXT_OFFSET;
            opened.handle[k] = h;
            openedPeer[k] = peer;
            return true;
        }
        if (v == Verdict.PING || v == Verdict.OCC_EXIT) {
            w.authentic(peer, ring.addrV6[e], ring.addrHi[e], ring.addrLo[e], ring.addrPort[e], now);
            Counter c = v == Verdict.PING ? Counter.KEEPALIVE_RX : Counter.EXIT_NOTIFY_RX;
            w.stats.add(w.index, c, 1);
            ps.add(w.index, c, 1);
            w.discards.add(h); // consumed
            return false;
        }
        w.drop(h, ps, DropReason.of(v));
        return false;
    }

    /** An encryption back from the engine; true when it became entry {@code k} of {@link #sealed}. */
    private boolean finishSeal(int e, int k) {
        Peer peer = ring.peer[e];
        long h = ring.handle[e];
        byte status = ring.status[e];
        if (status != CryptoCompletions.OK) {
            w.drop(h, peer.stats(), status == CryptoInFlight.BUSY ? DropReason.CRYPTO_BUSY : DropReason.CRYPTO_FAILED);
            return false;
        }
        Remote r = peer.remote();
        if (r == null || peer.removed()) {
            w.stats.drop(w.index, DropReason.NO_ROUTE); // as the synchronous path drops for a deleted peer
            w.discards.add(h);
            return false;
        }
        sealed.offset[k] = ring.packet[e];
        sealed.length[k] = ring.length[e];
        sealed.handle[k] = h;
        Worker.setAddress(sealed, k, r, peer);
        sealedPeer[k] = peer;
        return true;
    }

    /**
     * After the worker's thread stopped: whatever is still in the engine is waited for (bounded
     * by the engine's drain) and dropped as {@code CRYPTO_FAILED}, its buffers returned; then
     * the queue is closed. Every packet accounted for.
     */
    void abandon() {
        ring.submit();
        ring.queue.drain(new CryptoCompletions(32));
        int e;
        while ((e = ring.oldest()) >= 0) {
            w.drop(ring.handle[e], ring.peer[e].stats(), DropReason.CRYPTO_FAILED);
            ring.release(e);
        }
        if (rxHeld != null) {
            java.util.Arrays.fill(rxHeld, 0);
            java.util.Arrays.fill(txHeld, 0);
        }
        w.discards.flush();
        ring.queue.close();
    }

    private static PacketBatch[] batches(PacketBatch first, int k, WirePort wire, Arena arena, int burst, int slotSize) {
        PacketBatch[] r = new PacketBatch[k];
        r[0] = first;
        for (int i = 1; i < k; i++) {
            r[i] = wire.newBatch(arena, burst, slotSize);
        }
        return r;
    }
}

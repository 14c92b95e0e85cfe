package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Cpa;
import dev.ovpndpdk.bindings.qatlib.QatCompletionRing;
import dev.ovpndpdk.bindings.qatlib.Qatlib;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One worker's queue: one qatlib crypto instance, used by that worker's thread only (the DP API
 * is not thread-safe, async-crypto.md §1.5).
 *
 * <p>Requests occupy slots of a ring in submit order, {@code tail} the oldest unreported,
 * {@code head} the next free. A slot's number is its op's {@code pCallbackTag}, so a completion,
 * in whatever order the device finishes, marks its slot; {@link #poll} reports from the tail
 * while slots are finished, which gives submit order whatever the device does.
 *
 * <p>Per burst: staging per request (copy in, IV, AAD, five op fields), one
 * {@code cpaCySymDpEnqueueOpBatch} (several only when the ring is full), one
 * {@code cpaCySymDpPerformOpNow}; per poll, one downcall that polls and collects in C.
 */
final class QatlibQueue implements CryptoQueue {
    private static final byte PENDING = -1;
    /** Most ops per enqueue call: well under any ring's batch limit (NumConcurrentSymRequests less a margin). */
    private static final int BATCH = 64;
    /** How long {@link #drain} waits for the device before it gives up on what is left. */
    private static final long DRAIN_NANOS = 1_000_000_000L;

    private final QatlibEngine engine;
    private final Qatlib lib;
    private final int index;
    private final long instance;
    private final int depth;
    private final int maxData;
    private final RequestSlots slots;
    private final QatCompletionRing completions;
    private final Arena arena = Arena.ofShared();
    /** {@code CpaCySymDpOpData *[]} of the burst being enqueued. */
    private final MemorySegment opArray;
    private final int[] opSlot;
    private final int[] opRequest;

    private final QatlibKey[] slotKey;
    private final long[] slotPacket;
    private final int[] slotLength;
    private final int[] slotCookie;
    private final boolean[] slotSeal;
    private final byte[] slotState;
    private int head;
    private int tail;
    private int inFlight;
    /** Requests on the device, not yet completed by a poll. */
    private int onDevice;

    private long submitted;
    private long completed;
    private long busy;
    private long failed;
    private long strayCompletions;
    private int lastEnqueueError;

    /** Keys closed while requests of theirs were in flight here: their sessions wait for idleness. */
    private final ConcurrentLinkedQueue<QatlibKey> retiring = new ConcurrentLinkedQueue<>();
    private boolean abandoned;
    private volatile boolean closed;

    QatlibQueue(QatlibEngine engine, QatlibEngine.Instance instance, int depth) {
        this.engine = engine;
        this.lib = engine.lib();
        this.index = instance.index();
        this.instance = instance.handle();
        this.depth = depth;
        this.maxData = engine.settings().maxPacket() - QatlibEngine.HEADER;
        this.slots = new RequestSlots(lib, instance, depth, engine.settings().maxPacket());
        this.completions = lib.completions().newRing(depth);
        this.opArray = arena.allocate(JAVA_LONG, depth);
        this.opSlot = new int[depth];
        this.opRequest = new int[depth];
        this.slotKey = new QatlibKey[depth];
        this.slotPacket = new long[depth];
        this.slotLength = new int[depth];
        this.slotCookie = new int[depth];
        this.slotSeal = new boolean[depth];
        this.slotState = new byte[depth];
    }

    @Override
    public int submit(CryptoRequests r, int n) {
        requireUsable();
        int m = Math.min(n, depth - inFlight);
        int ops = 0;
        int slot = head;
        for (int i = 0; i < m; i++, slot = next(slot)) {
            QatlibKey key = (QatlibKey) r.key[i];
            int len = r.length[i];
            slotPacket[slot] = r.header[i];
            slotLength[slot] = len;
            slotCookie[slot] = r.cookie[i];
            if (key == null || key.isClosed() || !key.belongsTo(engine) || len < 0 || len > maxData) {
                // Taken and failed at once, so its completion still comes in order.
                slotKey[slot] = null;
                slotState[slot] = CryptoCompletions.ERROR;
                continue;
            }
            slotKey[slot] = key;
            slotSeal[slot] = key.encrypt();
            slotState[slot] = PENDING;
            slots.stage(slot, r.header[i], len, key.session[index], key.nonceTail);
            opArray.setAtIndex(JAVA_LONG, ops, slots.op(slot));
            opSlot[ops] = slot;
            opRequest[ops] = i;
            ops++;
        }
        int accepted = enqueue(ops);
        int taken = accepted == ops ? m : opRequest[accepted];
        int enqueued = 0;
        slot = head;
        for (int i = 0; i < taken; i++, slot = next(slot)) {
            if (slotState[slot] == PENDING) {
                slotKey[slot].inFlight[index]++;
                enqueued++;
            }
        }
        for (int i = taken; i < m; i++, slot = next(slot)) {
            slotKey[slot] = null;
        }
        if (enqueued > 0) {
            // One doorbell (one MMIO write) for the whole burst (§1.5).
            lib.cpaCySymDpPerformOpNow(instance);
        }
        head = advance(head, taken);
        inFlight += taken;
        onDevice += enqueued;
        submitted += taken;
        busy += n - taken;
        return taken;
    }

    /**
     * Enqueues ops {@code [0, ops)} of {@link #opArray} without ringing; returns how many were
     * dealt with, a prefix: on the device, or marked failed when qatlib refused them for a reason
     * other than a full ring. A batch is all or nothing, so on {@code CPA_STATUS_RETRY} the rest
     * is tried in halves until a single op does not fit.
     */
    private int enqueue(int ops) {
        int done = 0;
        int chunk = Math.min(ops, BATCH);
        while (done < ops) {
            int c = Math.min(chunk, ops - done);
            int s = lib.cpaCySymDpEnqueueOpBatch(c, opArray.address() + 8L * done, false);
            if (s == Cpa.CPA_STATUS_SUCCESS) {
                done += c;
            } else if (s == Cpa.CPA_STATUS_RETRY) {
                if (c == 1) {
                    break;
                }
                chunk = c / 2;
            } else {
                lastEnqueueError = s;
                for (int j = done; j < done + c; j++) {
                    slotState[opSlot[j]] = CryptoCompletions.ERROR;
                }
                done += c;
            }
        }
        return done;
    }

    @Override
    public int poll(CryptoCompletions c) {
        if (closed) {
            return 0;
        }
        if (onDevice > 0) {
            completions.poll(instance);
            collect();
        }
        if (!retiring.isEmpty()) {
            removeIdleSessions();
        }
        int k = 0;
        while (k < c.capacity && inFlight > 0) {
            byte state = slotState[tail];
            if (state == PENDING) {
                break;
            }
            if (state == CryptoCompletions.OK) {
                slots.copyOut(tail, slotPacket[tail], slotLength[tail], slotSeal[tail]);
            } else if (state == CryptoCompletions.ERROR) {
                failed++;
            }
            c.cookie[k] = slotCookie[tail];
            c.status[k] = state;
            slotKey[tail] = null;
            tail = next(tail);
            inFlight--;
            k++;
        }
        completed += k;
        return k;
    }

    /** Marks the slots the last poll completed; the device is done with their sessions. */
    private void collect() {
        int n = completions.count();
        for (int i = 0; i < n; i++) {
            long tag = completions.tag(i);
            if (tag < 0 || tag >= depth || slotState[(int) tag] != PENDING) {
                strayCompletions++;
                continue;
            }
            int slot = (int) tag;
            byte state;
            if (completions.status(i) != Cpa.CPA_STATUS_SUCCESS) {
                state = CryptoCompletions.ERROR;
            } else if (completions.verified(i)) {
                state = CryptoCompletions.OK;
            } else {
                // SUCCESS with verifyResult FALSE: a tag mismatch on open (§1.6). On seal it cannot happen.
                state = slotSeal[slot] ? CryptoCompletions.ERROR : CryptoCompletions.AUTH_FAILED;
            }
            slotState[slot] = state;
            slotKey[slot].inFlight[index]--;
            onDevice--;
        }
    }

    /** Hands a closed key's session here to be removed once nothing of it is in flight. */
    void retire(QatlibKey key) {
        retiring.add(key);
    }

    private void removeIdleSessions() {
        for (Iterator<QatlibKey> it = retiring.iterator(); it.hasNext(); ) {
            if (it.next().removeIfIdle(index)) {
                it.remove();
            }
        }
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public int depth() {
        return depth;
    }

    @Override
    public long submitted() {
        return submitted;
    }

    @Override
    public long completed() {
        return completed;
    }

    @Override
    public long busy() {
        return busy;
    }

    @Override
    public long failed() {
        return failed;
    }

    /** Completions whose tag named no pending slot: a qatlib or binding bug if ever non-zero. */
    long strayCompletions() {
        return strayCompletions + completions.overflow();
    }

    /** The last status other than RETRY with which qatlib refused an enqueue, or 0. */
    int lastEnqueueError() {
        return lastEnqueueError;
    }

    /**
     * Polls until nothing is in flight, for at most a second. What the device has not finished by
     * then is given up: the packets are the caller's again at once (the device only ever touches
     * the bounce buffers), but the queue is then unusable and keeps its USDM memory and the
     * sessions of those requests for the rest of the process, since the device may still write them.
     */
    @Override
    public int drain(CryptoCompletions c) {
        int discarded = inFlight;
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (inFlight > 0 && !abandoned) {
            if (poll(c) == 0) {
                if (System.nanoTime() - deadline > 0) {
                    abandoned = true;
                    inFlight = 0;
                    break;
                }
                Thread.onSpinWait();
            }
        }
        return discarded;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (inFlight > 0) {
            drain(new CryptoCompletions(depth));
        }
        removeIdleSessions();
        closed = true;
        completions.close();
        arena.close();
        if (!abandoned) {
            slots.free();
        }
    }

    private void requireUsable() {
        if (closed || abandoned) {
            throw new IllegalStateException(closed ? "qat queue closed" : "qat queue abandoned by a timed-out drain");
        }
    }

    private int next(int slot) {
        return slot + 1 == depth ? 0 : slot + 1;
    }

    private int advance(int slot, int by) {
        int s = slot + by;
        return s >= depth ? s - depth : s;
    }
}

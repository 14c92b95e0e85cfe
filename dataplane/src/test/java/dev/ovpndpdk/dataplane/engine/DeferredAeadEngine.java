package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test double of an asynchronous engine over a synchronous one: a request is only recorded
 * at submit, and the crypto runs when the queue is polled — as DPDK's ipsec-mb PMDs do it in
 * {@code dequeue_burst} — so a packet really is "in flight" across passes. Knobs make it
 * misbehave the ways a device may: few completions per poll, completions reported out of
 * order (within a poll, or held back across polls), an error status, a small queue. Every
 * use of a session after it was closed is counted ({@link #useAfterClose}), which the grace
 * period must make impossible.
 */
final class DeferredAeadEngine implements AsyncAeadEngine {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    final AeadEngine inner;
    final AtomicLong useAfterClose = new AtomicLong();
    final AtomicLong openKeys = new AtomicLong();
    final List<Queue> queues = new ArrayList<>();
    /** At most this many completions per poll. */
    volatile int perPoll = Integer.MAX_VALUE;
    /** Report each poll's completions last first. */
    volatile boolean reversed;
    /** Hold completions back until this many are done, then report them all (reversed if set). */
    volatile int holdUntil;
    /** The next this-many requests complete with ERROR. */
    final AtomicLong failNext = new AtomicLong();
    /** Polling does nothing while true: the device is "slow". */
    volatile boolean stalled;
    /** The device's own queue depth, when smaller than what the worker asks for. */
    volatile int queueDepth = Integer.MAX_VALUE;

    DeferredAeadEngine(AeadEngine inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return "deferred";
    }

    @Override
    public String describe() {
        return "deferred over " + inner.name();
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return inner.supports(alg);
    }

    /** Sessions it can still make; past them newKey fails as a full session pool does. */
    final AtomicLong sessionsLeft = new AtomicLong(Long.MAX_VALUE);

    @Override
    public AsyncAeadKey newKey(CipherAlg alg, MemorySegment key, MemorySegment nonceTail, boolean encrypt) {
        if (sessionsLeft.getAndDecrement() <= 0) {
            throw new IllegalStateException("deferred: no session left");
        }
        openKeys.incrementAndGet();
        return new Key(alg, inner.newKey(alg, key), nonceTail.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), encrypt);
    }

    @Override
    public CryptoQueue newQueue(int worker, int depth) {
        Queue q = new Queue(depth);
        queues.add(q);
        return q;
    }

    @Override
    public void close() {
    }

    final class Key implements AsyncAeadKey {
        final CipherAlg alg;
        final AeadKey key;
        final long tail;
        final boolean encrypt;
        volatile boolean closed;

        Key(CipherAlg alg, AeadKey key, long tail, boolean encrypt) {
            this.alg = alg;
            this.key = key;
            this.tail = tail;
            this.encrypt = encrypt;
        }

        @Override
        public CipherAlg alg() {
            return alg;
        }

        @Override
        public boolean encrypt() {
            return encrypt;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                key.close();
                openKeys.decrementAndGet();
            }
        }
    }

    private record Request(Key key, long header, int length, int cookie) {
    }

    final class Queue implements CryptoQueue {
        final int depth;
        final ArrayDeque<Request> pending = new ArrayDeque<>();
        final ArrayDeque<int[]> done = new ArrayDeque<>(); // {cookie, status}
        final AeadScratch scratch = inner.newScratch();
        long submitted;
        long completed;
        long busy;
        long failed;
        boolean closed;

        Queue(int depth) {
            this.depth = depth;
        }

        @Override
        public int submit(CryptoRequests r, int n) {
            int took = 0;
            for (int i = 0; i < n && inFlight() < Math.min(depth, queueDepth); i++) {
                pending.add(new Request((Key) r.key[i], r.header[i], r.length[i], r.cookie[i]));
                took++;
            }
            submitted += took;
            busy += n - took;
            return took;
        }

        /** Does the crypto of up to {@code max} pending requests, oldest first. */
        private void work(int max) {
            for (int k = 0; k < max && !pending.isEmpty(); k++) {
                Request q = pending.poll();
                byte status;
                if (q.key.closed) {
                    useAfterClose.incrementAndGet();
                    status = CryptoCompletions.ERROR;
                } else if (failNext.getAndUpdate(v -> Math.max(0, v - 1)) > 0) {
                    status = CryptoCompletions.ERROR;
                } else {
                    long h = q.header;
                    MemorySegment nonce = scratch.nonce();
                    nonce.set(BE_INT, 0, ALL.get(BE_INT, h + 4));
                    nonce.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, q.key.tail);
                    if (q.key.encrypt) {
                        q.key.key.seal(scratch, ALL, h, 8, h + 8, h + 24, q.length);
                        status = CryptoCompletions.OK;
                    } else {
                        status = q.key.key.open(scratch, ALL, h, 8, h + 8, h + 24, q.length)
                                ? CryptoCompletions.OK : CryptoCompletions.AUTH_FAILED;
                    }
                }
                done.add(new int[] {q.cookie, status});
            }
        }

        @Override
        public int poll(CryptoCompletions c) {
            if (stalled) {
                return 0;
            }
            work(Math.min(perPoll, c.capacity));
            if (done.size() < Math.min(holdUntil, c.capacity) && !pending.isEmpty()) {
                return 0;
            }
            int n = Math.min(done.size(), c.capacity);
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(done.poll());
            }
            if (reversed) {
                java.util.Collections.reverse(out);
            }
            for (int i = 0; i < n; i++) {
                c.cookie[i] = out.get(i)[0];
                c.status[i] = (byte) out.get(i)[1];
                if (c.status[i] == CryptoCompletions.ERROR) {
                    failed++;
                }
            }
            completed += n;
            return n;
        }

        @Override
        public int inFlight() {
            return pending.size() + done.size();
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

        @Override
        public int drain(CryptoCompletions c) {
            int n = inFlight();
            pending.clear();
            done.clear();
            return n;
        }

        @Override
        public void close() {
            closed = true;
            scratch.close();
        }
    }
}

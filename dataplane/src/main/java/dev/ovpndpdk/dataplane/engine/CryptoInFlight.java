package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.Wire;

/**
 * One worker's packets between submit and finish on an asynchronous crypto engine, in a ring
 * kept in the order the worker took them: struct-of-arrays, preallocated, no object per
 * packet (fast-path rule 2).
 *
 * <p>An entry is {@link #take taken} when the worker decides a packet goes to the engine, and
 * carries what finishing it needs: the peer and key slot it was meant for, its buffer, where
 * it is, and for a received one its source address (for float). It is
 * {@link #stage staged} for the next {@link #submit}, or finished at once in software
 * ({@link #doneNow}: a packet below the size threshold, or one the engine refused, which keeps
 * its place). {@link #poll} marks what the engine completed, in whatever order it reports;
 * {@link #ready} hands the entries out in ring order only, so a flow leaves the worker in the
 * order it came even if the device finishes out of order.
 *
 * <p>Grace period: an entry remembers the epoch its pass read before the snapshot
 * ({@link GracePeriod#epoch}); {@link #oldestEpoch} is what the worker announces while
 * anything is in flight, so no key an entry uses is freed under it.
 */
final class CryptoInFlight {
    /** The engine has it. */
    static final byte PENDING = 1;
    /** Finished: {@link #status} says how. */
    static final byte DONE = 2;
    /** Beyond {@link CryptoCompletions}' statuses: the engine's queue was full, never submitted. */
    static final byte BUSY = 3;

    final CryptoQueue queue;
    private final int mask;
    /** The oldest entry not finished, and the next to take: ring positions, never wrapped. */
    private long head;
    private long tail;

    final byte[] state;
    final byte[] status;
    final boolean[] sealing;
    final Peer[] peer;
    final KeySlot[] key;
    /** The port's buffer ({@code PacketBatch.handle}), 0 for a packet in a batch's own slot. */
    final long[] handle;
    /** Absolute address of the P_DATA_V2 header, and the packet's length from there. */
    final long[] packet;
    final int[] length;
    /** Receive: the packet's source (for float). Send: unused, the peer's remote is read at finish. */
    final boolean[] addrV6;
    final long[] addrHi;
    final long[] addrLo;
    final int[] addrPort;
    /** Which of the worker's own batches holds the packet's memory, or -1 (zero-copy buffers). */
    final int[] batch;
    private final long[] epoch;

    private final CryptoRequests requests;
    private int staged;
    private final CryptoCompletions completions;

    /** Entries taken in the newest epoch seen, and in all older ones, and the oldest of those. */
    private long currentEpoch;
    private int inCurrent;
    private long olderEpoch;
    private int inOlder;

    /**
     * @param depth a power of two: how many packets may be between take and finish
     * @param burst requests per submit
     */
    CryptoInFlight(CryptoQueue queue, int depth, int burst) {
        if (Integer.bitCount(depth) != 1) {
            throw new IllegalArgumentException("in-flight depth must be a power of two, got " + depth);
        }
        this.queue = queue;
        this.mask = depth - 1;
        this.state = new byte[depth];
        this.status = new byte[depth];
        this.sealing = new boolean[depth];
        this.peer = new Peer[depth];
        this.key = new KeySlot[depth];
        this.handle = new long[depth];
        this.packet = new long[depth];
        this.length = new int[depth];
        this.addrV6 = new boolean[depth];
        this.addrHi = new long[depth];
        this.addrLo = new long[depth];
        this.addrPort = new int[depth];
        this.batch = new int[depth];
        this.epoch = new long[depth];
        this.requests = new CryptoRequests(burst);
        this.completions = new CryptoCompletions(Math.max(burst, 32));
    }

    int depth() {
        return mask + 1;
    }

    /** Entries taken and not yet finished. */
    int size() {
        return (int) (tail - head);
    }

    boolean isFull() {
        return tail - head > mask;
    }

    /**
     * The next entry, in the worker's order; the caller fills its fields and then stages it or
     * finishes it now. Only when not {@link #isFull}.
     *
     * @param seen the epoch the worker read before this pass's snapshot
     */
    int take(long seen, boolean seal, Peer p, KeySlot k, long buffer, long address, int len, int batchIndex) {
        int e = (int) (tail++ & mask);
        state[e] = PENDING;
        sealing[e] = seal;
        peer[e] = p;
        key[e] = k;
        handle[e] = buffer;
        packet[e] = address;
        length[e] = len;
        batch[e] = batchIndex;
        epoch[e] = seen;
        if (seen != currentEpoch) {
            if (inCurrent > 0) {
                if (inOlder == 0) {
                    olderEpoch = currentEpoch;
                }
                inOlder += inCurrent; // merged under the oldest: frees later, never sooner
            }
            currentEpoch = seen;
            inCurrent = 0;
        }
        inCurrent++;
        return e;
    }

    /** Entry {@code e} goes to the engine with the next {@link #submit}, which this may run. */
    void stage(int e, AsyncAeadKey session) {
        int r = staged++;
        requests.key[r] = session;
        requests.header[r] = packet[e];
        requests.length[r] = length[e] - Wire.CIPHERTEXT_OFFSET;
        requests.mbuf[r] = handle[e];
        requests.cookie[r] = e;
        if (staged == requests.capacity) {
            submit();
        }
    }

    /** Entry {@code e} is finished without the engine (software crypto, or refused), with {@code s}. */
    void doneNow(int e, byte s) {
        state[e] = DONE;
        status[e] = s;
    }

    /**
     * Submits what is staged with one doorbell. What the engine's queue had no room for is
     * finished {@link #BUSY} in its place: dropped in order, counted, never spun on.
     *
     * @return how many the engine took
     */
    int submit() {
        int n = staged;
        if (n == 0) {
            return 0;
        }
        int took = queue.submit(requests, n);
        for (int r = took; r < n; r++) {
            doneNow(requests.cookie[r], BUSY);
        }
        requests.clearKeys(n);
        staged = 0;
        return took;
    }

    /** Collects the engine's completions (one downcall); returns how many. */
    int poll() {
        int n = queue.poll(completions);
        for (int c = 0; c < n; c++) {
            int e = completions.cookie[c];
            if (e < 0 || e > mask || state[e] != PENDING) {
                continue; // an entry the engine did not have: an engine bug, never trusted
            }
            state[e] = DONE;
            status[e] = completions.status[c];
        }
        return n;
    }

    /** The oldest entry if it is finished, else -1: entries leave in the order they were taken. */
    int ready() {
        if (head == tail) {
            return -1;
        }
        int e = (int) (head & mask);
        return state[e] == DONE ? e : -1;
    }

    /** The oldest entry, finished or not (for shutdown); -1 when there is none. */
    int oldest() {
        return head == tail ? -1 : (int) (head & mask);
    }

    /** The oldest entry has been carried out: its place is free. */
    void release(int e) {
        state[e] = 0;
        peer[e] = null;
        key[e] = null;
        handle[e] = 0;
        if (epoch[e] == currentEpoch) {
            inCurrent--;
        } else {
            inOlder--;
        }
        head++;
    }

    /** The epoch the worker may announce while entries are in flight: that of the oldest. */
    long oldestEpoch() {
        return inOlder > 0 ? olderEpoch : currentEpoch;
    }
}

package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.bindings.dpdk.RteCrypto;
import dev.ovpndpdk.bindings.dpdk.RteCryptodev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One worker's queue pair on a {@link CryptodevEngine}.
 *
 * <p>In-flight requests live in a ring of {@code depth} slots; slot {@code s} owns op {@code s}
 * (allocated once, its slot number written into its private area) and, on a software device,
 * wrapper mbuf {@code s}. Submission takes the next free slots in order; completions are
 * recorded by slot as the device returns them and reported from the oldest slot on, so
 * {@link #poll} is in submit order even where the device is not (the scheduler across
 * workers; the API promises order per queue pair only, async-crypto.md §4).
 *
 * <p>A request in plain native memory ({@code mbuf == 0}) is wrapped in the slot's mbuf, whose
 * {@code buf_addr} and {@code buf_iova} are pointed at the packet: IOVA = VA, which only a
 * CPU-only PMD can live with. A hardware device (QAT) DMAs to IOVAs, and plain memory is not
 * mapped for it, so such a request is refused there.
 */
public final class CryptodevQueue implements CryptoQueue {
    /** P_DATA_V2: the 24 bytes of opcode/peer-id, packet-id and tag before the data. */
    private static final int HEADER = 24;
    private static final long BUF_IOVA = RteMbufCore.LAYOUT.byteOffset(PathElement.groupElement("buf_iova"));
    private static final long BUF_LEN = RteMbufCore.LAYOUT.byteOffset(PathElement.groupElement("buf_len"));
    private static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    /** How long {@link #drain} waits for a device to give back what it holds. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final CryptodevEngine engine;
    private final int dev;
    private final int qp;
    private final int depth;
    private final boolean wrapsPlainMemory;
    /** Shared by the device's queues when their enqueues must not overlap (MultiCoreScheduler); else null. */
    private final Object enqueueLock;
    private final Arena arena = Arena.ofShared();

    // per slot: the op, the wrapper mbuf, the wrapper's own buffer, the caller's cookie, the outcome
    private final long[] op;
    private final long[] wrapper;
    private final long[] wrapperBuf;
    private final long[] wrapperIova;
    private final int[] wrapperLen;
    private final int[] cookie;
    private final byte[] outcome;
    private final boolean[] done;

    // one burst, native, for the shim
    private final MemorySegment burstOps;
    private final MemorySegment burstKeys;
    private final MemorySegment burstHeaders;
    private final MemorySegment burstLengths;
    private final MemorySegment burstMbufs;
    private final MemorySegment doneOps;
    private final MemorySegment doneSlots;
    private final MemorySegment doneStatus;

    /** Sequence numbers: {@code head} the next to submit, {@code tail} the oldest not reported. */
    private long head;
    private long tail;
    /** Submitted and not yet dequeued from the device. */
    private int atDevice;
    private long submitted;
    private long completed;
    private long busy;
    private long failed;
    private long reordered;
    /**
     * The slots of {@code head}, {@code tail} and the next op the device should return, kept
     * alongside the sequence numbers: a {@code %} by a depth the JIT does not know costs a
     * division per request each way (about 40 ns per packet on this machine, measured).
     */
    private int headSlot;
    private int tailSlot;
    private int dequeuedSlot;
    private boolean closed;

    CryptodevQueue(CryptodevEngine engine, int dev, int qp, int depth, long opPool, long wrapperPool, Object enqueueLock) {
        this.engine = engine;
        this.enqueueLock = enqueueLock;
        this.dev = dev;
        this.qp = qp;
        this.depth = depth;
        this.wrapsPlainMemory = wrapperPool != 0;
        op = new long[depth];
        wrapper = new long[depth];
        wrapperBuf = new long[depth];
        wrapperIova = new long[depth];
        wrapperLen = new int[depth];
        cookie = new int[depth];
        outcome = new byte[depth];
        done = new boolean[depth];
        burstOps = arena.allocate(JAVA_LONG, depth);
        burstKeys = arena.allocate(JAVA_LONG, depth);
        burstHeaders = arena.allocate(JAVA_LONG, depth);
        burstLengths = arena.allocate(JAVA_INT, depth);
        burstMbufs = arena.allocate(JAVA_LONG, depth);
        doneOps = arena.allocate(JAVA_LONG, depth);
        doneSlots = arena.allocate(JAVA_INT, depth);
        doneStatus = arena.allocate(JAVA_BYTE, depth);
        try {
            if (RteCrypto.rte_crypto_op_bulk_alloc(opPool, burstOps.address(), depth) != depth) {
                throw new IllegalStateException("cryptodev: no " + depth + " ops left in the op pool for queue " + qp);
            }
            for (int s = 0; s < depth; s++) {
                op[s] = burstOps.getAtIndex(JAVA_LONG, s);
                NATIVE.set(JAVA_INT, op[s] + RteCrypto.OVD_CDEV_SLOT_OFFSET, s);
            }
            if (wrapsPlainMemory) {
                for (int s = 0; s < depth; s++) {
                    long m = RteMbuf.rte_pktmbuf_alloc(wrapperPool);
                    if (m == 0) {
                        throw new IllegalStateException("cryptodev: no wrapper mbuf left for queue " + qp);
                    }
                    wrapper[s] = m;
                    wrapperBuf[s] = RteMbufCore.buf_addr(m);
                    wrapperIova[s] = NATIVE.get(JAVA_LONG, m + BUF_IOVA);
                    wrapperLen[s] = Short.toUnsignedInt(NATIVE.get(JAVA_SHORT, m + BUF_LEN));
                }
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    @Override
    public int submit(CryptoRequests r, int n) {
        int room = depth - inFlight();
        int k = Math.min(n, room);
        int s = headSlot;
        for (int i = 0; i < k; i++, s = next(s)) {
            long h = r.header[i];
            int len = r.length[i];
            long m = r.mbuf[i];
            if (m == 0) {
                m = wrap(s, h, len);
            }
            burstOps.setAtIndex(JAVA_LONG, i, op[s]);
            burstKeys.setAtIndex(JAVA_LONG, i, ((CryptodevKey) r.key[i]).address());
            burstHeaders.setAtIndex(JAVA_LONG, i, h);
            burstLengths.setAtIndex(JAVA_INT, i, len);
            burstMbufs.setAtIndex(JAVA_LONG, i, m);
            cookie[s] = r.cookie[i];
        }
        int taken;
        if (k == 0) {
            taken = 0;
        } else if (enqueueLock == null) {
            taken = enqueue(k);
        } else {
            synchronized (enqueueLock) {
                taken = enqueue(k);
            }
        }
        head += taken;
        for (int i = 0; i < taken; i++) {
            headSlot = next(headSlot);
        }
        atDevice += taken;
        submitted += taken;
        busy += n - taken;
        return taken;
    }

    private int next(int slot) {
        return slot + 1 == depth ? 0 : slot + 1;
    }

    private int enqueue(int k) {
        return RteCryptodev.ovd_cdev_enqueue_aead(dev, qp, burstOps.address(), burstKeys.address(), burstHeaders.address(),
                burstLengths.address(), burstMbufs.address(), k);
    }

    /** Points slot {@code s}'s wrapper mbuf at the packet: data starts at the header. */
    private long wrap(int s, long h, int len) {
        if (!wrapsPlainMemory) {
            throw new UnsupportedOperationException("cryptodev " + engine.deviceName() + " is a hardware device: it DMAs to"
                    + " IOVAs, so packets must be in mbufs (or DMA-mapped memory), not plain native memory");
        }
        long m = wrapper[s];
        int total = HEADER + len;
        RteMbufCore.buf_addr(m, h);
        NATIVE.set(JAVA_LONG, m + BUF_IOVA, h); // IOVA = VA: EAL without hugepages, software PMDs only
        NATIVE.set(JAVA_SHORT, m + BUF_LEN, (short) total);
        RteMbufCore.data_off(m, 0);
        RteMbufCore.data_len(m, total);
        RteMbufCore.pkt_len(m, total);
        return m;
    }

    @Override
    public int poll(CryptoCompletions c) {
        if (atDevice > 0) {
            int got = RteCryptodev.ovd_cdev_dequeue(dev, qp, doneOps.address(), doneSlots.address(), doneStatus.address(),
                    atDevice);
            atDevice -= got;
            for (int i = 0; i < got; i++) {
                int s = doneSlots.getAtIndex(JAVA_INT, i);
                // Slots are taken in sequence, so in order the n-th op back is in slot n % depth.
                if (s != dequeuedSlot) {
                    reordered++;
                }
                dequeuedSlot = next(dequeuedSlot);
                outcome[s] = outcome(doneStatus.get(JAVA_BYTE, i));
                done[s] = true;
            }
        }
        int out = 0;
        while (out < c.capacity && tail < head) {
            int s = tailSlot;
            if (!done[s]) {
                break; // an older request is still at the device: later ones wait for it
            }
            done[s] = false;
            c.cookie[out] = cookie[s];
            c.status[out] = outcome[s];
            if (outcome[s] == CryptoCompletions.ERROR) {
                failed++;
            }
            out++;
            tail++;
            tailSlot = next(s);
        }
        completed += out;
        return out;
    }

    private static byte outcome(byte rteStatus) {
        return switch (rteStatus) {
            case RteCrypto.RTE_CRYPTO_OP_STATUS_SUCCESS -> CryptoCompletions.OK;
            case RteCrypto.RTE_CRYPTO_OP_STATUS_AUTH_FAILED -> CryptoCompletions.AUTH_FAILED;
            default -> CryptoCompletions.ERROR;
        };
    }

    @Override
    public int inFlight() {
        return (int) (head - tail);
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

    /** Completions the device returned out of submit order (and this queue put back in order). */
    public long reordered() {
        return reordered;
    }

    /** The queue pair's number on the device. */
    public int queuePair() {
        return qp;
    }

    @Override
    public int drain(CryptoCompletions c) {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        int discarded = 0;
        while (inFlight() > 0) {
            int n = poll(c);
            discarded += n;
            if (n == 0) {
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                LockSupport.parkNanos(10_000); // a hardware or scheduler queue: give its cores the time
            }
        }
        return discarded;
    }

    /**
     * Drains, then gives the ops and wrapper mbufs back to their pools. If the device still
     * holds requests after the drain, their ops stay allocated: a device may still write them.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        drain(new CryptoCompletions(Math.max(1, depth)));
        release();
        engine.queueClosed(this);
    }

    private void release() {
        boolean stuck = atDevice > 0;
        for (int s = 0; s < depth; s++) {
            if (wrapper[s] != 0) {
                RteMbufCore.buf_addr(wrapper[s], wrapperBuf[s]);
                NATIVE.set(JAVA_LONG, wrapper[s] + BUF_IOVA, wrapperIova[s]);
                NATIVE.set(JAVA_SHORT, wrapper[s] + BUF_LEN, (short) wrapperLen[s]);
                if (!stuck) {
                    RteMbuf.rte_pktmbuf_free(wrapper[s]);
                }
                wrapper[s] = 0;
            }
            if (op[s] != 0 && !stuck) {
                RteCrypto.rte_crypto_op_free(op[s]);
                op[s] = 0;
            }
        }
        if (!stuck) {
            arena.close();
        }
    }
}

package dev.ovpndpdk.dataplane.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Deferred release of native resources (key schedules) — epoch-based reclamation, the RCU
 * grace period of ARCHITECTURE.md. The control thread unlinks a resource (publishes a
 * snapshot without it), then {@link #retire}s it under a new epoch; every worker announces
 * after each burst the epoch it has seen ({@link #quiescent}), or that it is offline
 * (asleep, holding nothing). Once all workers are past the retire epoch, nothing can still
 * use the resource, and {@link #reclaim} closes it — which zeroes key material.
 *
 * <p>Workers only store; the control thread only reads their stores. No one waits.
 */
public final class GracePeriod {
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long OFFLINE = Long.MAX_VALUE;
    private static final int PAD = 16; // longs per worker: 128 bytes, no false sharing

    private record Retired(long epoch, AutoCloseable resource) {
    }

    private static final Logger LOG = Logger.getLogger(GracePeriod.class.getName());

    private final long[] state;
    private final int workers;
    private volatile long epoch = 1;
    private final ArrayDeque<Retired> pending = new ArrayDeque<>();

    public GracePeriod(int workers) {
        this.workers = workers;
        this.state = new long[(workers + 1) * PAD];
        for (int w = 0; w < workers; w++) {
            STATE.setVolatile(state, slot(w), OFFLINE);
        }
    }

    private static int slot(int worker) {
        return (worker + 1) * PAD;
    }

    /** Worker {@code w}, after each burst: it holds no reference older than now. */
    public void quiescent(int w) {
        STATE.setRelease(state, slot(w), epoch);
    }

    /**
     * Worker {@code w}, after a burst that left requests in an asynchronous crypto engine: it
     * holds nothing older than {@code seen}, the epoch it read before the snapshot of the pass
     * that submitted the oldest of them. Keys those requests use stay unreclaimed until they
     * complete.
     */
    public void quiescent(int w, long seen) {
        STATE.setRelease(state, slot(w), seen);
    }

    /** The current epoch, which a worker reads before its snapshot to date what it takes from it. */
    public long epoch() {
        return epoch;
    }

    /**
     * Worker {@code w}, before reading the snapshot after a sleep. The volatile store is
     * ordered before that read (synchronization order), so the control thread either sees
     * the worker online or the worker sees the new snapshot.
     */
    public void online(int w) {
        STATE.setVolatile(state, slot(w), epoch);
    }

    /** Worker {@code w}, before it sleeps or stops: it holds nothing. */
    public void offline(int w) {
        STATE.setVolatile(state, slot(w), OFFLINE);
    }

    /** Control thread: {@code resource} is unlinked from every published structure. */
    public void retire(AutoCloseable resource) {
        if (resource != null) {
            long e = epoch;
            epoch = e + 1;
            pending.add(new Retired(e + 1, resource));
        }
    }

    /** Control thread: closes every retired resource no worker can still see; returns how many. */
    public int reclaim() {
        int n = 0;
        while (!pending.isEmpty() && passed(pending.peek().epoch)) {
            close(pending.poll().resource);
            n++;
        }
        return n;
    }

    /** Control thread, at shutdown after the workers stopped: closes everything pending. */
    public void reclaimAll() {
        while (!pending.isEmpty()) {
            close(pending.poll().resource);
        }
    }

    public int pending() {
        return pending.size();
    }

    private boolean passed(long e) {
        for (int w = 0; w < workers; w++) {
            if ((long) STATE.getVolatile(state, slot(w)) < e) {
                return false;
            }
        }
        return true;
    }

    private static void close(AutoCloseable r) {
        try {
            r.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing " + r + " failed", e);
        }
    }
}

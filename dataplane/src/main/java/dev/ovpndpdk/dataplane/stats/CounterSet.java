package dev.ovpndpdk.dataplane.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters and drop counters striped per worker, summed on read — the counter(9) idea
 * (ARCHITECTURE.md fast-path rule 5). Each worker writes only its own stripe, so increments
 * are plain read-modify-writes published with opaque stores: no atomics, no locks. Stripes
 * are padded to whole cache lines so two workers never share one.
 *
 * <p>A reader may see a stripe a few increments behind; totals are exact once traffic stops.
 */
public final class CounterSet {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int COUNTERS = Counter.values().length;
    private static final int DROPS = DropReason.values().length;
    /** Longs per worker stripe: counters + drops, rounded up to 64-byte lines, plus one line of padding. */
    private static final int STRIDE = ((COUNTERS + DROPS + 7) & ~7) + 8;

    private final long[] slots;
    private final int workers;

    public CounterSet(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1");
        }
        this.workers = workers;
        // One extra stripe in front keeps stripe 0 off the array header's line.
        this.slots = new long[(workers + 1) * STRIDE];
    }

    public int workers() {
        return workers;
    }

    private static int index(int worker, int slot) {
        return (worker + 1) * STRIDE + slot;
    }

    /** Adds {@code delta} to {@code c} in worker {@code worker}'s stripe. Only that worker may call it. */
    public void add(int worker, Counter c, long delta) {
        int i = index(worker, c.ordinal());
        SLOT.setOpaque(slots, i, (long) SLOT.getOpaque(slots, i) + delta);
    }

    /** Counts one drop. Only worker {@code worker} may call it. */
    public void drop(int worker, DropReason r) {
        int i = index(worker, COUNTERS + r.ordinal());
        SLOT.setOpaque(slots, i, (long) SLOT.getOpaque(slots, i) + 1);
    }

    public long get(Counter c) {
        return sum(c.ordinal());
    }

    public long drops(DropReason r) {
        return sum(COUNTERS + r.ordinal());
    }

    public long totalDrops() {
        long t = 0;
        for (DropReason r : DropReason.values()) {
            t += drops(r);
        }
        return t;
    }

    private long sum(int slot) {
        long t = 0;
        for (int w = 0; w < workers; w++) {
            t += (long) SLOT.getOpaque(slots, index(w, slot));
        }
        return t;
    }

    /** All counters and the non-zero drop counters, by their lower-case names. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            m.put(c.counterName(), get(c));
        }
        for (DropReason r : DropReason.values()) {
            m.put("drop_" + r.counterName(), drops(r));
        }
        return m;
    }

    /** Drop counters by reason (all reasons, zero included). */
    public Map<DropReason, Long> dropSnapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, drops(r));
        }
        return m;
    }
}

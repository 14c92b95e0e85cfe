package dev.ovpndpdk.dataplane.proto;

import java.util.Arrays;

/**
 * The receive-side packet-id window of one key slot, Linux {@code ovpn} semantics
 * (spec §1.6, §5.6): checked only after the packet authenticated, id 0 always refused, a
 * forward jump slides the window, a backtrack is accepted once if it is still inside the
 * window, and after {@link #EXPIRE_NANOS} of silence nothing at or below the highest id seen
 * is accepted any more (Linux's {@code id_floor}).
 *
 * <p>The bitmap is a ring indexed by {@code id mod bits}, where {@code bits} is the window
 * rounded up to a power of two; bit set = that id was accepted. Ids in
 * {@code (highest - bits, highest]} map to distinct bits, so the window never confuses two
 * ids it still tracks.
 *
 * <p>Not thread-safe: one worker owns a key slot's window at a time (ARCHITECTURE.md,
 * "Peers, keys and snapshots").
 */
public final class ReplayWindow {
    public static final int DEFAULT_SIZE = 2048;
    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 65536;
    /** Linux PKTID_RECV_EXPIRE: 30 s without an accepted packet freezes backtracking. */
    public static final long EXPIRE_NANOS = 30_000_000_000L;

    private final int size;
    private final long[] bits;
    private final long mask;

    private long highest;
    private long floor;
    private long lastAcceptNanos;

    /** @param size packets of backtrack tolerated, {@value #MIN_SIZE}..{@value #MAX_SIZE} */
    public ReplayWindow(int size) {
        this.size = checkSize(size);
        int ringBits = Integer.highestOneBit(size - 1) << 1;
        this.bits = new long[Math.max(1, ringBits / 64)];
        this.mask = (long) bits.length * 64 - 1;
    }

    /**
     * @return {@code size} if it is a valid window
     * @throws IllegalArgumentException naming the range otherwise
     */
    public static int checkSize(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("replay window must be " + MIN_SIZE + ".." + MAX_SIZE
                    + " packets, got " + size);
        }
        return size;
    }

    public ReplayWindow() {
        this(DEFAULT_SIZE);
    }

    public int size() {
        return size;
    }

    /** The highest packet-id accepted so far (0 before the first). */
    public long highest() {
        return highest;
    }

    /**
     * Accepts {@code id} and records it, or refuses it. Call only for authenticated packets.
     *
     * @param id       the packet-id, 0..0xFFFFFFFF
     * @param nowNanos a monotonic clock ({@link System#nanoTime()} or a worker's burst clock)
     * @return true if the packet is new and inside the window
     */
    public boolean accept(long id, long nowNanos) {
        if (id <= 0) {
            return false;
        }
        if (highest != 0 && nowNanos - lastAcceptNanos >= EXPIRE_NANOS) {
            floor = highest;
        }
        if (id == highest + 1) {
            // In-order traffic, nearly every packet: the one id that falls out shares the new
            // id's bit, so marking it is the whole slide.
            bits[(int) ((id & mask) >>> 6)] |= 1L << (id & 63);
            highest = id;
        } else if (id > highest) {
            slideTo(id);
        } else {
            long back = highest - id;
            if (back >= size || id <= floor) {
                return false;
            }
            int word = (int) ((id & mask) >>> 6);
            long bit = 1L << (id & 63);
            if ((bits[word] & bit) != 0) {
                return false;
            }
            bits[word] |= bit;
        }
        lastAcceptNanos = nowNanos;
        return true;
    }

    /**
     * Whether {@link #accept} would take {@code id} now, changing nothing: the read-only check a
     * worker makes before it submits a packet to an asynchronous engine, so that a replayed packet
     * costs no device request (async-crypto.md §6.4). The authoritative check is still
     * {@link #accept}, after authentication: two copies of one id both pass this one.
     */
    public boolean mayAccept(long id, long nowNanos) {
        if (id <= 0) {
            return false;
        }
        if (id > highest) {
            return true;
        }
        long f = highest != 0 && nowNanos - lastAcceptNanos >= EXPIRE_NANOS ? highest : floor;
        if (highest - id >= size || id <= f) {
            return false;
        }
        return (bits[(int) ((id & mask) >>> 6)] & (1L << (id & 63))) == 0;
    }

    /** Moves the top of the window to {@code id}: forget the ids that fall out, mark {@code id}. */
    private void slideTo(long id) {
        long delta = id - highest;
        if (delta > mask) {
            Arrays.fill(bits, 0L);
        } else {
            clearRange(highest + 1, id);
        }
        bits[(int) ((id & mask) >>> 6)] |= 1L << (id & 63);
        highest = id;
    }

    /** Clears the ring bits of ids {@code from..to} inclusive (at most one ring's worth). */
    private void clearRange(long from, long to) {
        long id = from;
        while (id <= to) {
            int word = (int) ((id & mask) >>> 6);
            int bit = (int) (id & 63);
            long n = Math.min(64 - bit, to - id + 1);
            long m = n == 64 ? -1L : ((1L << n) - 1) << bit;
            bits[word] &= ~m;
            id += n;
        }
    }
}

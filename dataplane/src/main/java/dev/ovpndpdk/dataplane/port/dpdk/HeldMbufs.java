package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteMbuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The mbufs a port received and lent to the worker for one burst, each with the receive
 * reference. The worker decrypts or encrypts in place and another port sends the same mbuf:
 * that port {@linkplain #claim claims} the receive reference and hands it to the driver, so the
 * mbuf leaves this list and the driver frees it, once, when it is done (no second reference, no
 * atomic decrement in the driver). Whatever the worker dropped is never claimed: at the port's
 * next receive the burst is over and every mbuf still here is freed in one
 * {@code rte_pktmbuf_free_bulk}. No leak, no double
 * free, whatever the worker did with an entry.
 */
final class HeldMbufs {
    /** The list itself, on the heap: cheaper per entry than native memory. */
    private final long[] held;
    /** What {@code rte_pktmbuf_free_bulk} reads, filled only when something is left to free. */
    private final MemorySegment vec;
    private int count;
    /** Entries not claimed. */
    private int live;
    /** Where the next claim looks first: the worker sends in receive order. */
    private int cursor;

    HeldMbufs(Arena arena, int capacity) {
        this.held = new long[capacity];
        this.vec = arena.allocate(ValueLayout.JAVA_LONG, capacity);
    }

    void add(long mbuf) {
        held[count++] = mbuf;
        live++;
    }

    /**
     * Takes over the receive reference of {@code mbuf} if it is lent in the current burst: its
     * slot is cleared, so {@link #release} leaves it alone, and the caller now owns it. Claims
     * in receive order cost one comparison each.
     *
     * @return false when {@code mbuf} is not (or no longer) held here
     */
    boolean claim(long mbuf) {
        if (live == 0) {
            return false;
        }
        long[] h = held;
        int n = count;
        for (int c = cursor; c < n; c++) {
            if (h[c] == mbuf) {
                return take(c);
            }
        }
        for (int c = 0; c < cursor; c++) {
            if (h[c] == mbuf) {
                return take(c);
            }
        }
        return false;
    }

    private boolean take(int c) {
        held[c] = 0;
        cursor = c + 1;
        live--;
        return true;
    }

    /** The burst is over: drop this port's reference to everything it lent and nobody claimed. */
    void release() {
        if (live > 0) {
            int k = 0;
            for (int c = 0; c < count; c++) {
                if (held[c] != 0) {
                    vec.setAtIndex(ValueLayout.JAVA_LONG, k++, held[c]);
                }
            }
            RteMbuf.rte_pktmbuf_free_bulk(vec.address(), k);
        }
        count = 0;
        live = 0;
        cursor = 0;
    }
}

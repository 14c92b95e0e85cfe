package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteMbuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The mbufs a port received and lent to the worker for one burst. The worker decrypts or
 * encrypts in place and another port sends the same mbuf, taking a reference of its own
 * ({@code refcnt + 1}) for the driver; whatever the worker dropped is simply never taken. At
 * the port's next receive the burst is over and every lent mbuf loses this reference in one
 * {@code rte_pktmbuf_free_bulk}: sent ones live on until the driver is done with them, the
 * others go back to the pool. No per-entry bookkeeping of which were sent, and no leak
 * whatever the worker did with an entry.
 */
final class HeldMbufs {
    private final MemorySegment vec;
    private int count;

    HeldMbufs(Arena arena, int capacity) {
        this.vec = arena.allocate(ValueLayout.JAVA_LONG, capacity);
    }

    void add(long mbuf) {
        vec.setAtIndex(ValueLayout.JAVA_LONG, count++, mbuf);
    }

    /** The burst is over: drop this port's reference to everything it lent. */
    void release() {
        if (count > 0) {
            RteMbuf.rte_pktmbuf_free_bulk(vec.address(), count);
            count = 0;
        }
    }

    int count() {
        return count;
    }
}

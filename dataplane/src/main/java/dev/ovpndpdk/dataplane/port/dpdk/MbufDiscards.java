package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.dataplane.port.Discards;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's dropped mbufs, freed with one {@code rte_pktmbuf_free_bulk} at the end of the
 * pass. Entries without an mbuf (a keepalive ping built in the worker's own memory) have
 * nothing to free.
 */
final class MbufDiscards implements Discards {
    private final MemorySegment vec;
    private final int capacity;
    private int count;

    MbufDiscards(Arena arena, int capacity) {
        this.capacity = capacity;
        this.vec = arena.allocate(ValueLayout.JAVA_LONG, capacity);
    }

    @Override
    public void add(long m) {
        if (m == 0) {
            return;
        }
        if (count == capacity) {
            flush();
        }
        vec.setAtIndex(ValueLayout.JAVA_LONG, count++, m);
    }

    @Override
    public void flush() {
        if (count > 0) {
            RteMbuf.rte_pktmbuf_free_bulk(vec.address(), count);
            count = 0;
        }
    }
}

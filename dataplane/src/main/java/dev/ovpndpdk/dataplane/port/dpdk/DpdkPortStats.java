package dev.ovpndpdk.dataplane.port.dpdk;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of the DPDK backend's own traffic, which the engine never sees: frames between
 * the wire port and the kernel's exception interface, their drops, neighbour requests sent.
 * One slot per worker queue, written only by that worker (a plain add published with an
 * opaque store, as {@link dev.ovpndpdk.dataplane.stats.CounterSet} does), summed on read.
 */
public final class DpdkPortStats {
    public enum Kind {
        TO_KERNEL, TO_KERNEL_DROPPED, FROM_KERNEL, FROM_KERNEL_DROPPED, SOLICITED,
        /** An ARP request or neighbour solicitation not sent: no mbuf free, or the wire queue full. */
        SOLICIT_DROPPED,
        OWN_ECHO, MULTI_SEGMENT,
        /** A datagram for us that the port marked with a bad IPv4 or UDP checksum: given to the kernel, which drops it. */
        CHECKSUM_BAD
    }

    private static final int KINDS = Kind.values().length;
    private static final int STRIDE = 8; // a cache line of longs per worker and kind
    private final AtomicLongArray counts;
    private final int workers;

    DpdkPortStats(int workers) {
        this.workers = workers;
        this.counts = new AtomicLongArray(workers * KINDS * STRIDE);
    }

    private void add(int q, Kind k, int n) {
        int i = (q * KINDS + k.ordinal()) * STRIDE;
        counts.setOpaque(i, counts.getPlain(i) + n);
    }

    void toKernel(int q, int n) {
        add(q, Kind.TO_KERNEL, n);
    }

    void toKernelDropped(int q, int n) {
        add(q, Kind.TO_KERNEL_DROPPED, n);
    }

    void fromKernel(int q, int n) {
        add(q, Kind.FROM_KERNEL, n);
    }

    void fromKernelDropped(int q, int n) {
        add(q, Kind.FROM_KERNEL_DROPPED, n);
    }

    void ownEcho(int q) {
        add(q, Kind.OWN_ECHO, 1);
    }

    void multiSegment(int q) {
        add(q, Kind.MULTI_SEGMENT, 1);
    }

    void checksumBad(int q) {
        add(q, Kind.CHECKSUM_BAD, 1);
    }

    void solicited(int q) {
        add(q, Kind.SOLICITED, 1);
    }

    void solicitDropped(int q) {
        add(q, Kind.SOLICIT_DROPPED, 1);
    }

    public long get(Kind k) {
        long sum = 0;
        for (int q = 0; q < workers; q++) {
            sum += counts.getOpaque((q * KINDS + k.ordinal()) * STRIDE);
        }
        return sum;
    }

    @Override
    public String toString() {
        return "exception path: to kernel " + get(Kind.TO_KERNEL) + " (dropped " + get(Kind.TO_KERNEL_DROPPED)
                + "), from kernel " + get(Kind.FROM_KERNEL) + " (dropped " + get(Kind.FROM_KERNEL_DROPPED)
                + "), neighbour requests " + get(Kind.SOLICITED) + " (not sent " + get(Kind.SOLICIT_DROPPED) + "), own frames seen again " + get(Kind.OWN_ECHO)
                + ", multi-segment tunnel packets dropped " + get(Kind.MULTI_SEGMENT)
                + ", bad checksums to the kernel " + get(Kind.CHECKSUM_BAD);
    }
}

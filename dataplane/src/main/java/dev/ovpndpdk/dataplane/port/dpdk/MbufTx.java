package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One port queue's transmit side for batch entries, shared by the wire and tunnel ports:
 * {@link #take} turns an entry into an mbuf that describes exactly that packet (with room in
 * front for the caller's headers, where it asks for some) and holds a reference for the
 * driver — the receiving port's own reference, claimed from its {@link HeldMbufs}, so the
 * driver frees the mbuf once and without an atomic decrement;
 * {@link #queue} collects it; {@link #flush} sends the burst with one
 * {@code rte_eth_tx_burst}, frees what the driver did not take with one
 * {@code rte_pktmbuf_free_bulk} and marks those entries {@code TX_FULL}.
 */
final class MbufTx {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final long pool;
    /** Where lent mbufs come from: the other port of the worker first, then this one. */
    private final HeldMbufs lender;
    private final HeldMbufs own;
    /** The burst being collected, on the heap; copied to {@link #vec} in one go for the driver. */
    private final long[] pending;
    private final MemorySegment vec;
    private final int[] entry;
    private int count;

    /**
     * @param lender the {@link HeldMbufs} of the port whose mbufs this one usually sends (the
     *               worker's other port)
     * @param own    this port's own
     */
    MbufTx(Arena arena, long pool, int burst, HeldMbufs lender, HeldMbufs own) {
        this.pool = pool;
        this.lender = lender;
        this.own = own;
        this.pending = new long[burst];
        this.vec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.entry = new int[burst];
    }

    /**
     * An extra reference on {@code m}, as {@code rte_mbuf_refcnt_update(m, 1)} does it but
     * without a downcall in the common case: a count of 1 means we are the only owner, so a
     * plain store is safe (DPDK takes the same shortcut); otherwise the atomic update.
     */
    static void addReference(long m) {
        if (RteMbufCore.refcnt(m) == 1) {
            RteMbufCore.refcnt(m, 2);
        } else {
            RteMbuf.rte_mbuf_refcnt_update(m, 1);
        }
    }

    /**
     * The mbuf for entry {@code k}, its data set to the entry's packet and the {@code headroom}
     * bytes in front of it (the caller's to fill: the wire port's outer headers; 0 for the
     * tunnel), with a reference for the driver: the lent mbuf itself with the receive reference
     * claimed from the port that lent it (an mbuf lent by neither gets a reference of its own),
     * or — for a packet in the worker's own memory, such as a keepalive ping — a fresh mbuf
     * with the packet copied in.
     *
     * @return the mbuf, or 0 with the entry marked {@code NO_BUFFER}, or {@code TOO_BIG} when
     *         fewer than {@code headroom} bytes of the mbuf are in front of the packet
     */
    long take(PacketBatch b, int k, int headroom) {
        long m = b.handle[k];
        int len = b.length[k];
        long data;
        if (m == 0) {
            m = RteMbuf.rte_pktmbuf_alloc(pool);
            if (m == 0) {
                b.txDrop[k] = DropReason.NO_BUFFER.mark();
                return 0;
            }
            data = RteMbufCore.buf_addr(m) + RteMbuf.RTE_PKTMBUF_HEADROOM;
            MemorySegment.copy(b.memory, b.offset[k], ALL, data, len);
        } else {
            if (!lender.claim(m) && !own.claim(m)) {
                addReference(m);
            }
            data = b.memory.address() + b.offset[k];
        }
        int off = (int) (data - RteMbufCore.buf_addr(m)) - headroom;
        if (off < 0) {
            return tooBig(b, k, m);
        }
        RteMbufCore.data_off(m, off);
        RteMbufCore.data_len(m, headroom + len);
        RteMbufCore.pkt_len(m, headroom + len);
        return m;
    }

    /** {@link #take}'s refusal, out of line: gives up the reference just taken and marks the entry. */
    private static long tooBig(PacketBatch b, int k, long m) {
        RteMbuf.rte_pktmbuf_free(m);
        b.txDrop[k] = DropReason.TOO_BIG.mark();
        return 0;
    }

    void queue(long m, int k) {
        pending[count] = m;
        entry[count++] = k;
    }

    void flush(PacketBatch b, int port, int queue) {
        if (count == 0) {
            return;
        }
        MemorySegment.copy(pending, 0, vec, ValueLayout.JAVA_LONG, 0, count);
        for (int s = sendOrFree(port, queue, vec, count); s < count; s++) {
            b.txDrop[entry[s]] = DropReason.TX_FULL.mark();
        }
        count = 0;
    }

    /**
     * Sends the {@code n} mbufs at {@code vec} with one {@code rte_eth_tx_burst}; what the
     * driver did not take (its ring full) is freed with one {@code rte_pktmbuf_free_bulk}.
     *
     * @return how many the driver took: the first ones
     */
    static int sendOrFree(int port, int queue, MemorySegment vec, int n) {
        int sent = RteEthdev.rte_eth_tx_burst(port, queue, vec.address(), n);
        if (sent < n) {
            RteMbuf.rte_pktmbuf_free_bulk(vec.address() + (long) sent * Long.BYTES, n - sent);
        }
        return sent;
    }
}

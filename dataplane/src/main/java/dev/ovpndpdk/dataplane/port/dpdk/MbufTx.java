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
 * front for the caller's headers, where it asks for some) — the very mbuf it was received in,
 * whose one reference the worker handed over with the entry, so the driver frees it once and
 * without an atomic decrement; {@link #queue} collects it; {@link #flush} sends the burst with
 * one {@code rte_eth_tx_burst}, frees what the driver did not take with one
 * {@code rte_pktmbuf_free_bulk} and marks those entries {@code TX_FULL}.
 */
final class MbufTx {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final long pool;
    /** The burst being collected, on the heap; copied to {@link #vec} in one go for the driver. */
    private final long[] pending;
    private final MemorySegment vec;
    private final int[] entry;
    private int count;

    MbufTx(Arena arena, long pool, int burst) {
        this.pool = pool;
        this.pending = new long[burst];
        this.vec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.entry = new int[burst];
    }

    /**
     * The mbuf for entry {@code k}, its data set to the entry's packet and the {@code headroom}
     * bytes in front of it (the caller's to fill: the wire port's outer headers; 0 for the
     * tunnel): the entry's own mbuf, or — for a packet in the worker's own memory, such as a
     * keepalive ping — a fresh mbuf with the packet copied in. The caller owns the result.
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

    /** {@link #take}'s refusal, out of line: frees the entry's mbuf and marks the entry. */
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

package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's queue pair on DPDK's {@code net_tun} device: plain IP packets to and from the
 * host's TUN interface, zero-copy. Received mbufs are lent to the worker (see
 * {@link HeldMbufs}); sending hands the same mbuf, adjusted to the entry's start and length,
 * to the driver.
 */
final class DpdkTunnelPort implements TunnelPort {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final int port;
    private final int queue;
    private final long pool;
    private final MemorySegment rxVec;
    private final MemorySegment txVec;
    private final int[] txEntry;
    private final HeldMbufs held;
    private long multiSegment;

    DpdkTunnelPort(Arena arena, int port, int queue, long pool, int burst) {
        this.port = port;
        this.queue = queue;
        this.pool = pool;
        this.rxVec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.txVec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.txEntry = new int[burst];
        this.held = new HeldMbufs(arena, burst);
    }

    @Override
    public int receive(PacketBatch b) {
        held.release();
        int n = RteEthdev.rte_eth_rx_burst(port, queue, rxVec.address(), b.capacity);
        int j = 0;
        for (int i = 0; i < n; i++) {
            long m = rxVec.getAtIndex(ValueLayout.JAVA_LONG, i);
            held.add(m);
            if (RteMbufCore.nb_segs(m) != 1) {
                multiSegment++; // cannot happen with the MTU the backend sets; counted if it does
                continue;
            }
            b.offset[j] = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
            b.length[j] = RteMbufCore.data_len(m);
            b.handle[j] = m;
            j++;
        }
        b.count = j;
        return j;
    }

    @Override
    public int send(PacketBatch b, int count) {
        int t = 0;
        long base = b.memory.address();
        for (int k = 0; k < count; k++) {
            long m = b.handle[k];
            long data = base + b.offset[k];
            int len = b.length[k];
            if (m == 0) {
                m = RteMbuf.rte_pktmbuf_alloc(pool);
                if (m == 0) {
                    b.txDrop[k] = DropReason.NO_BUFFER.mark();
                    continue;
                }
                long dst = RteMbufCore.buf_addr(m) + RteMbuf.RTE_PKTMBUF_HEADROOM;
                MemorySegment.copy(b.memory, b.offset[k], ALL, dst, len);
                data = dst;
            } else {
                RteMbuf.rte_mbuf_refcnt_update(m, 1); // the driver's reference; ours goes at the next receive
            }
            RteMbufCore.data_off(m, (int) (data - RteMbufCore.buf_addr(m)));
            RteMbufCore.data_len(m, len);
            RteMbufCore.pkt_len(m, len);
            txVec.setAtIndex(ValueLayout.JAVA_LONG, t, m);
            txEntry[t++] = k;
        }
        if (t > 0) {
            int sent = RteEthdev.rte_eth_tx_burst(port, queue, txVec.address(), t);
            for (int s = sent; s < t; s++) {
                RteMbuf.rte_pktmbuf_free(txVec.getAtIndex(ValueLayout.JAVA_LONG, s));
                b.txDrop[txEntry[s]] = DropReason.TX_FULL.mark();
            }
        }
        return count;
    }

    long multiSegmentDrops() {
        return multiSegment;
    }

    @Override
    public void close() {
        held.release();
    }
}

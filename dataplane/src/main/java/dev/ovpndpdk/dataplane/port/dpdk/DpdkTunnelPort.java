package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's queue pair on DPDK's {@code net_tun} device: plain IP packets to and from the
 * host's TUN interface, zero-copy. A received mbuf is the worker's until it gives the entry a
 * disposition; sending hands the same mbuf, adjusted to the entry's start and length, to the
 * driver.
 */
final class DpdkTunnelPort implements TunnelPort {
    private final int port;
    private final int queue;
    private final MemorySegment rxVec;
    /** {@link #rxVec} copied to the heap once per burst: cheaper to read per packet. */
    private final long[] rx;
    private final MbufTx tx;
    private final DpdkPortStats stats;

    DpdkTunnelPort(Arena arena, int port, int queue, long pool, int burst, DpdkPortStats stats) {
        this.port = port;
        this.queue = queue;
        this.rxVec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.rx = new long[burst];
        this.tx = new MbufTx(arena, pool, burst);
        this.stats = stats;
    }

    @Override
    public int receive(PacketBatch b) {
        int n = RteEthdev.rte_eth_rx_burst(port, queue, rxVec.address(), b.capacity);
        if (n == 0) {
            b.count = 0;
            return 0;
        }
        MemorySegment.copy(rxVec, ValueLayout.JAVA_LONG, 0, rx, 0, n);
        int j = 0;
        for (int i = 0; i < n; i++) {
            long m = rx[i];
            if (RteMbufCore.nb_segs(m) != 1) {
                RteMbuf.rte_pktmbuf_free(m);
                stats.multiSegment(queue); // cannot happen with the MTU the backend sets; counted if it does
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
        for (int k = 0; k < count; k++) {
            long m = tx.take(b, k, 0);
            if (m != 0) {
                tx.queue(m, k);
            }
        }
        tx.flush(b, port, queue);
        return count;
    }

    @Override
    public void close() {
    }
}

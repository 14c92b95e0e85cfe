package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.dataplane.port.Discards;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.WirePort;
import dev.ovpndpdk.dataplane.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker's queue pair on the wire ethdev, plus its queue pair on the exception
 * interface (a {@code net_tap} the kernel sees with the wire port's address and MAC).
 *
 * <ul>
 * <li>Receive: UDP datagrams for our address and port become batch entries, zero-copy (the
 *     payload inside the mbuf); every other frame — ARP, ICMP, other ports, fragments, VLAN —
 *     goes to the kernel through the exception queue unchanged.</li>
 * <li>{@link #toSlowPath}: a datagram for our port that is not data (the control channel)
 *     goes to the kernel as the frame it arrived in, so the OpenVPN process's socket on the
 *     exception interface receives it with its real source.</li>
 * <li>Send: Ethernet/IP/UDP headers are written into the mbuf's headroom in front of the
 *     encrypted packet; the next hop's MAC comes from {@link Neighbours}.</li>
 * <li>What the kernel sends on the exception interface (ARP replies, the OpenVPN process's
 *     control packets) goes out of the wire queue; polled on every 16th receive and whenever
 *     the wire queue is empty, since each poll of a tap queue is a system call.</li>
 * </ul>
 */
final class DpdkWirePort implements WirePort {
    private static final int KERNEL_POLL_EVERY = 16;
    /** At most one ARP request / neighbour solicitation per port per this many nanoseconds. */
    private static final long SOLICIT_INTERVAL_NANOS = 100_000_000L;

    private final int port;
    private final int queue;
    private final int tap;
    private final long pool;
    private final WireAddress me;
    private final Neighbours.Memo neighbours;
    private final int maxPacket;
    private final MemorySegment rxVec;
    /** {@link #rxVec} copied to the heap once per burst: cheaper to read per packet. */
    private final long[] rx;
    private final MbufTx tx;
    private final MemorySegment excVec;
    private final MemorySegment one;
    private final MbufDiscards discards;
    private final DpdkPortStats stats;
    private final boolean udpChecksumByPort;
    private int polls;
    private short ipId;
    private long lastSolicit;

    /**
     * @param discards          the worker's dropped mbufs, this port's included
     * @param udpChecksumByPort the port computes UDP checksums ({@code RTE_ETH_TX_OFFLOAD_UDP_CKSUM}
     *                          switched on): IPv6 datagrams leave theirs to it
     */
    DpdkWirePort(Arena arena, int port, int tap, int queue, long pool, WireAddress me, Neighbours neighbours,
                 int burst, int maxPacket, DpdkPortStats stats, MbufDiscards discards,
                 boolean udpChecksumByPort) {
        this.udpChecksumByPort = udpChecksumByPort;
        this.port = port;
        this.queue = queue;
        this.tap = tap;
        this.pool = pool;
        this.me = me;
        this.neighbours = new Neighbours.Memo(neighbours);
        this.maxPacket = maxPacket;
        this.rxVec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.rx = new long[burst];
        this.tx = new MbufTx(arena, pool, burst);
        this.excVec = arena.allocate(ValueLayout.JAVA_LONG, burst);
        this.one = arena.allocate(ValueLayout.JAVA_LONG, 1);
        this.discards = discards;
        this.stats = stats;
        this.ipId = (short) (queue << 12); // workers apart, so fragments of different queues do not mix
    }

    @Override
    public PacketBatch newBatch(Arena arena, int capacity, int slotSize) {
        return PacketBatch.overNativeMemory(capacity, maxPacket);
    }

    @Override
    public int receive(PacketBatch b) {
        neighbours.refresh(); // for this pass: learning here, and lookups in the send that follows
        if (++polls % KERNEL_POLL_EVERY == 0) {
            fromKernel(b.capacity);
        }
        int n = RteEthdev.rte_eth_rx_burst(port, queue, rxVec.address(), b.capacity);
        if (n == 0) {
            if (polls % KERNEL_POLL_EVERY != 0) {
                fromKernel(b.capacity);
            }
            b.count = 0;
            return 0;
        }
        MemorySegment.copy(rxVec, ValueLayout.JAVA_LONG, 0, rx, 0, n);
        int j = 0;
        int e = 0;
        for (int i = 0; i < n; i++) {
            long m = rx[i];
            long frame = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
            int len = RteMbufCore.data_len(m);
            if (len >= Frames.ETH && Frames.sourceMac(frame) == me.mac()) {
                // Our own transmission seen again (an af_packet queue sees its sibling queues'
                // output): neither ours to decrypt nor the kernel's.
                RteMbuf.rte_pktmbuf_free(m);
                stats.ownEcho(queue);
                continue;
            }
            if (RteMbufCore.nb_segs(m) == 1
                    && Frames.accept(frame, len, me, neighbours, b, j)) {
                if (checksumBad(RteMbufCore.ol_flags(m))) {
                    // Corrupted on the way (the port checked): its addresses cannot be trusted to
                    // float a peer. The kernel checks it again, drops it and counts it (UDP InCsumErrors).
                    stats.checksumBad(queue);
                    excVec.setAtIndex(ValueLayout.JAVA_LONG, e++, m);
                    continue;
                }
                b.handle[j++] = m; // the worker's now, until it gives the entry a disposition
            } else {
                excVec.setAtIndex(ValueLayout.JAVA_LONG, e++, m);
            }
        }
        if (e > 0) {
            toKernel(excVec, e);
        }
        b.count = j;
        return j;
    }

    /** Whether the port found a bad IPv4 header or UDP checksum ({@code UNKNOWN}, {@code GOOD}, {@code NONE} pass). */
    static boolean checksumBad(long olFlags) {
        return (olFlags & RteMbufCore.RTE_MBUF_F_RX_IP_CKSUM_MASK) == RteMbufCore.RTE_MBUF_F_RX_IP_CKSUM_BAD
                || (olFlags & RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_MASK) == RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_BAD;
    }

    /** Frames that are not ours, to the kernel's exception interface; ownership passes on. */
    private void toKernel(MemorySegment vec, int e) {
        int sent = MbufTx.sendOrFree(tap, queue, vec, e);
        stats.toKernel(queue, sent);
        if (sent < e) {
            stats.toKernelDropped(queue, e - sent);
        }
    }

    /** What the kernel sends on the exception interface goes out of the wire port. */
    private void fromKernel(int burst) {
        int k = RteEthdev.rte_eth_rx_burst(tap, queue, excVec.address(), burst);
        if (k == 0) {
            return;
        }
        int sent = MbufTx.sendOrFree(port, queue, excVec, k);
        stats.fromKernel(queue, sent);
        if (sent < k) {
            stats.fromKernelDropped(queue, k - sent);
        }
    }

    @Override
    public Discards discards() {
        return discards;
    }

    @Override
    public boolean toSlowPath(PacketBatch b, int i) {
        long m = b.handle[i];
        if (m == 0) {
            return false;
        }
        b.handle[i] = 0; // the kernel's now, sent or freed
        // The mbuf still describes the whole frame (only the batch entry points at the payload).
        one.set(ValueLayout.JAVA_LONG, 0, m);
        if (MbufTx.sendOrFree(tap, queue, one, 1) == 1) {
            stats.toKernel(queue, 1);
            return true;
        }
        stats.toKernelDropped(queue, 1);
        b.txDrop[i] = DropReason.TX_FULL.mark(); // a slow path, but no room in it: not "not data"
        return false;
    }

    @Override
    public int send(PacketBatch b, int count) {
        for (int k = 0; k < count; k++) {
            boolean v6 = b.addrV6[k];
            long hi = b.addrHi[k];
            long lo = b.addrLo[k];
            if (v6 != me.ipv6()) {
                refuse(b, k, DropReason.NO_ROUTE); // a peer of the other IP version than our address
                continue;
            }
            long mac = neighbours.lookup(v6, hi, lo);
            if (mac < 0) {
                refuse(b, k, DropReason.NO_NEIGHBOUR);
                solicit(v6, hi, lo);
                continue;
            }
            int outer = Frames.outerLength(v6);
            long m = tx.take(b, k, outer); // the mbuf's data: the whole frame, headers still to write
            if (m == 0) {
                continue;
            }
            // Where the packet is, from the batch: reading it back from the mbuf take() has just
            // written measured ~1 ns a packet slower (DpdkPipelineBench.ports, encrypt, 64 B). A
            // packet in the worker's own memory (a ping) was copied into a fresh mbuf.
            long payload = b.handle[k] != 0 ? b.memory.address() + b.offset[k]
                    : RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m) + outer;
            // IPv6's UDP checksum covers the whole datagram; a port that computes it saves a pass over it.
            boolean byPort = v6 && udpChecksumByPort;
            Frames.writeHeaders(payload, b.length[k], mac, me, v6, hi, lo, b.addrPort[k], ipId++, byPort);
            if (byPort) {
                RteMbufCore.ol_flags(m, RteMbufCore.RTE_MBUF_F_TX_IPV6 | RteMbufCore.RTE_MBUF_F_TX_UDP_CKSUM);
                RteMbufCore.l2_l3_len(m, Frames.ETH, Frames.IP6);
            }
            tx.queue(m, k);
        }
        tx.flush(b, port, queue);
        return count;
    }

    /** An entry this port will not send: ours to free, the worker's to count. */
    private void refuse(PacketBatch b, int k, DropReason r) {
        discards.add(b.handle[k]);
        b.handle[k] = 0;
        b.txDrop[k] = r.mark();
    }

    /** Asks the link who has a next hop we have not heard from (rate-limited). */
    private void solicit(boolean v6, long hi, long lo) {
        long now = System.nanoTime();
        if (now - lastSolicit < SOLICIT_INTERVAL_NANOS) {
            return;
        }
        lastSolicit = now;
        long m = RteMbuf.rte_pktmbuf_alloc(pool);
        if (m == 0) {
            stats.solicitDropped(queue); // pool exhausted: counted, the next packet to this host asks again
            return;
        }
        long f = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
        int len = v6 ? Frames.writeNeighbourSolicitation(f, me, hi, lo) : Frames.writeArpRequest(f, me, lo);
        RteMbufCore.data_len(m, len);
        RteMbufCore.pkt_len(m, len);
        one.set(ValueLayout.JAVA_LONG, 0, m);
        if (MbufTx.sendOrFree(port, queue, one, 1) == 1) {
            stats.solicited(queue);
        } else {
            stats.solicitDropped(queue); // wire queue full
        }
    }

    @Override
    public void close() {
        discards.flush();
    }
}

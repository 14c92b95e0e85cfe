package dev.ovpndpdk.bench;

import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.WirePort;

/**
 * A wire port for the pipeline benchmark: receive copies the next burst of a {@link PacketRing}
 * of sealed packets into the worker's batch (one copy per packet, as a NIC's DMA puts it
 * there), all from one source address; send only counts. No allocation, no queue, no other
 * thread: what is measured is the worker.
 *
 * <p>The copy is the NIC's work, not the worker's: it is timed on its own ({@link #copyClock})
 * so the benchmark can report the worker's CPU time without it (a DPDK worker finds the
 * packet already in the mbuf). Filling the batch's metadata is the port's — as a DPDK rx
 * burst's — and stays in the worker's time.
 */
final class RingWirePort implements WirePort {
    private final PacketRing ring;
    private final Remote source;
    private int next;
    /** Set when receive starts the ring over; the benchmark clears it. */
    boolean wrapped;
    long sent;
    /** Time spent copying packets in (the NIC's DMA). */
    final CopyClock copyClock = new CopyClock();

    /** @param ring what receive returns, in order and for ever; null: nothing */
    RingWirePort(PacketRing ring, Remote source) {
        this.ring = ring;
        this.source = source;
    }

    @Override
    public int receive(PacketBatch b) {
        if (ring == null) {
            b.count = 0;
            return 0;
        }
        // The ring is a whole number of bursts, so a burst never straddles its end.
        int n = Math.min(b.capacity, ring.count - next);
        ring.copyInto(b, next, n, 0, copyClock);
        for (int i = 0; i < n; i++) {
            b.addrV6[i] = source.ipv6();
            b.addrHi[i] = source.hi();
            b.addrLo[i] = source.lo();
            b.addrPort[i] = source.port();
        }
        next += n;
        if (next == ring.count) {
            next = 0;
            wrapped = true;
        }
        b.count = n;
        return n;
    }

    @Override
    public int send(PacketBatch b, int count) {
        sent += count;
        return count;
    }

    @Override
    public boolean toSlowPath(PacketBatch b, int i) {
        return false; // counted as a drop, which the benchmark refuses
    }

    @Override
    public void close() {
    }
}

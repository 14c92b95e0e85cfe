package dev.ovpndpdk.bench;

import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.proto.Wire;

/**
 * A tunnel port for the pipeline benchmark: receive copies the next burst of a plaintext
 * {@link PacketRing} into the worker's batch (one copy per packet, as a NIC's DMA or a TUN
 * read does); send only counts. No allocation, no queue, no other thread. The copy is timed
 * on its own ({@link #copyClock}), as in {@link RingWirePort}.
 */
final class RingTunnelPort implements TunnelPort {
    private final PacketRing ring;
    private int next;
    long sent;
    /** Time spent copying packets in. */
    final CopyClock copyClock = new CopyClock();

    /** @param ring what receive returns, in order and for ever; null: nothing */
    RingTunnelPort(PacketRing ring) {
        this.ring = ring;
    }

    @Override
    public int receive(PacketBatch b) {
        if (ring == null) {
            b.count = 0;
            return 0;
        }
        int n = Math.min(b.capacity, ring.count - next);
        ring.copyInto(b, next, n, Wire.DATA_V2_OVERHEAD, copyClock); // the plaintext, after the room for the header
        next += n;
        if (next == ring.count) {
            next = 0;
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
    public void close() {
    }
}

package dev.ovpndpdk.bench;

import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.lang.foreign.MemorySegment;

/**
 * A tunnel port for the pipeline benchmark: receive copies the next burst of a plaintext
 * {@link PacketRing} into the worker's batch (one copy per packet, as a TUN read does);
 * send only counts. No allocation, no queue, no other thread.
 */
final class RingTunnelPort implements TunnelPort {
    private final PacketRing ring;
    private int next;
    long sent;

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
        for (int i = 0; i < n; i++) {
            int e = next + i;
            long off = b.slotBase(i) + PacketBatch.HEADROOM;
            int len = ring.length[e];
            MemorySegment.copy(ring.memory, ring.offset[e] + Wire.DATA_V2_OVERHEAD, b.memory, off, len);
            b.offset[i] = off;
            b.length[i] = len;
        }
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

package dev.ovpndpdk.dataplane.port.memory;

import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A tunnel port whose "host" is two queues: packets to send into the tunnel, packets delivered. */
public final class MemoryTunnelPort implements TunnelPort {
    private final Queue<byte[]> fromHost = new ConcurrentLinkedQueue<>();
    private final Queue<byte[]> toHost = new ConcurrentLinkedQueue<>();

    /** The host sends {@code ipPacket} into the tunnel. */
    public void hostSends(byte[] ipPacket) {
        fromHost.add(ipPacket.clone());
    }

    /** Packets the data plane delivered to the host, oldest first. */
    public Queue<byte[]> delivered() {
        return toHost;
    }

    @Override
    public int receive(PacketBatch b) {
        int n = 0;
        byte[] p;
        while (n < b.capacity && (p = fromHost.poll()) != null) {
            if (p.length > b.maxPacket()) {
                continue;
            }
            long off = b.slotBase(n) + PacketBatch.HEADROOM;
            MemorySegment.copy(p, 0, b.memory, ValueLayout.JAVA_BYTE, off, p.length);
            b.offset[n] = off;
            b.length[n] = p.length;
            n++;
        }
        b.count = n;
        return n;
    }

    @Override
    public int send(PacketBatch b, int count) {
        for (int i = 0; i < count; i++) {
            toHost.add(b.memory.asSlice(b.offset[i], b.length[i]).toArray(ValueLayout.JAVA_BYTE));
        }
        return count;
    }

    @Override
    public void close() {
    }
}

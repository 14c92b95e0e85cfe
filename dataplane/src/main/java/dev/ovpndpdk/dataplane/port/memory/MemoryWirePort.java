package dev.ovpndpdk.dataplane.port.memory;

import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.WirePort;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A wire port on a {@link MemoryNetwork}; its slow path is a queue the test reads. */
public final class MemoryWirePort implements WirePort {
    private final MemoryNetwork net;
    private volatile Remote address;
    private final Queue<MemoryNetwork.Datagram> inbox;
    private final Queue<MemoryNetwork.Datagram> slowPath = new ConcurrentLinkedQueue<>();
    private volatile boolean slowPathEnabled = true;

    MemoryWirePort(MemoryNetwork net, Remote address, Queue<MemoryNetwork.Datagram> inbox) {
        this.net = net;
        this.address = address;
        this.inbox = inbox;
    }

    public Remote address() {
        return address;
    }

    /** Sends from another address from now on (a client whose address changed: float). */
    public void sourceAddress(Remote a) {
        address = a;
    }

    /** What the OpenVPN process would have received. */
    public Queue<MemoryNetwork.Datagram> slowPath() {
        return slowPath;
    }

    public void slowPathEnabled(boolean on) {
        slowPathEnabled = on;
    }

    @Override
    public int receive(PacketBatch b) {
        int n = 0;
        MemoryNetwork.Datagram d;
        while (n < b.capacity && (d = inbox.poll()) != null) {
            if (d.payload().length > b.maxPacket()) {
                continue; // a real NIC would not have fit it either
            }
            long off = b.slotBase(n) + PacketBatch.HEADROOM;
            MemorySegment.copy(d.payload(), 0, b.memory, ValueLayout.JAVA_BYTE, off, d.payload().length);
            b.offset[n] = off;
            b.length[n] = d.payload().length;
            Remote f = d.from();
            b.addrV6[n] = f.ipv6();
            b.addrHi[n] = f.hi();
            b.addrLo[n] = f.lo();
            b.addrPort[n] = f.port();
            n++;
        }
        b.count = n;
        return n;
    }

    @Override
    public int send(PacketBatch b, int count) {
        for (int i = 0; i < count; i++) {
            byte[] p = b.memory.asSlice(b.offset[i], b.length[i]).toArray(ValueLayout.JAVA_BYTE);
            Remote to = new Remote(b.addrV6[i], b.addrHi[i], b.addrLo[i], b.addrPort[i], 0);
            net.deliver(new MemoryNetwork.Datagram(address, to, p));
        }
        return count;
    }

    @Override
    public boolean toSlowPath(PacketBatch b, int i) {
        if (!slowPathEnabled) {
            return false;
        }
        byte[] p = b.memory.asSlice(b.offset[i], b.length[i]).toArray(ValueLayout.JAVA_BYTE);
        Remote from = new Remote(b.addrV6[i], b.addrHi[i], b.addrLo[i], b.addrPort[i], 0);
        slowPath.add(new MemoryNetwork.Datagram(from, address, p));
        return true;
    }

    @Override
    public void close() {
    }
}

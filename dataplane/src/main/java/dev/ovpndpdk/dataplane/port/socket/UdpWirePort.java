package dev.ovpndpdk.dataplane.port.socket;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.MmsgBatch;
import dev.ovpndpdk.bindings.libc.SockAddr;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.WirePort;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's UDP socket: one {@code recvmmsg} per receive burst, one {@code sendmmsg} per send
 * burst, straight into and out of the worker's packet memory (no copy). The socket is one of
 * a SO_REUSEPORT group whose classic-BPF program steers P_DATA_V2 by peer-id to a worker and
 * everything else to the OpenVPN process's socket ({@link SocketBackend}); so what arrives
 * here is data, or — with no OpenVPN socket in the group — anything, and this port has no
 * slow path of its own.
 */
public final class UdpWirePort implements WirePort {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long SLOT = SockAddr.INET_SLOT_SIZE;
    private static final long V4_MAPPED_HI = 0;
    private static final long V4_MAPPED_LO_PREFIX = 0x0000FFFFL;

    private final int fd;
    private final boolean ipv6Socket;
    private final MmsgBatch rx;
    private final MmsgBatch tx;
    private final MemorySegment names;
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** @param fd a bound, non-blocking UDP socket this port now owns */
    UdpWirePort(int fd, boolean ipv6Socket, int burst, java.lang.foreign.Arena arena) {
        this.fd = fd;
        this.ipv6Socket = ipv6Socket;
        this.rx = new MmsgBatch(burst);
        this.tx = new MmsgBatch(burst);
        this.names = arena.allocate(SLOT * burst, 8);
    }

    public int fd() {
        return fd;
    }

    /** Datagrams longer than a packet buffer (dropped; counted here). */
    public long truncated() {
        return truncated.get();
    }

    /** Datagrams the kernel refused to send (e.g. no route to the peer). */
    public long refused() {
        return refused.get();
    }

    @Override
    public int receive(PacketBatch b) {
        int cap = Math.min(b.capacity, rx.capacity());
        long base = b.memory.address();
        for (int i = 0; i < cap; i++) {
            rx.setBuffer(i, base + b.slotBase(i) + PacketBatch.HEADROOM, b.maxPacket());
        }
        int n;
        try {
            n = rx.receive(fd, cap, Sockets.MSG_DONTWAIT);
        } catch (ErrnoException e) {
            throw new UncheckedIOException(e);
        }
        int out = 0;
        MemorySegment src = rx.names();
        for (int i = 0; i < n; i++) {
            if ((rx.messageFlags(i) & Sockets.MSG_TRUNC) != 0) {
                truncated.incrementAndGet();
                continue;
            }
            long off = rx.nameOffset(i);
            b.offset[out] = b.slotBase(i) + PacketBatch.HEADROOM;
            b.length[out] = rx.length(i);
            b.addrPort[out] = SockAddr.port(src, off);
            if (SockAddr.family(src, off) == Sockets.AF_INET6) {
                long hi = SockAddr.ipv6High(src, off);
                long lo = SockAddr.ipv6Low(src, off);
                boolean mapped = hi == V4_MAPPED_HI && (lo >>> 32) == V4_MAPPED_LO_PREFIX;
                b.addrV6[out] = !mapped;
                b.addrHi[out] = mapped ? 0 : hi;
                b.addrLo[out] = mapped ? lo & 0xFFFFFFFFL : lo;
            } else {
                b.addrV6[out] = false;
                b.addrHi[out] = 0;
                b.addrLo[out] = SockAddr.ipv4(src, off) & 0xFFFFFFFFL;
            }
            out++;
        }
        b.count = out;
        return out;
    }

    @Override
    public int send(PacketBatch b, int count) {
        long base = b.memory.address();
        for (int i = 0; i < count; i++) {
            tx.setBuffer(i, base + b.offset[i], b.length[i]);
            long o = i * SLOT;
            int len = writeSockaddr(o, b.addrV6[i], b.addrHi[i], b.addrLo[i], b.addrPort[i]);
            tx.setDestination(i, names, o, len);
        }
        int sent = 0;
        int from = 0;
        while (from < count) {
            int r = tx.send(fd, from, count - from, Sockets.MSG_DONTWAIT);
            if (r > 0) {
                sent += r;
                from += r;
            } else if (r == 0) {
                break; // socket buffer full: the rest is TX_FULL
            } else {
                refused.incrementAndGet(); // this one datagram cannot go; the others may
                from++;
            }
        }
        return sent;
    }

    /** sockaddr_in, or sockaddr_in6 (v4-mapped for IPv4 on a dual-stack socket). */
    private int writeSockaddr(long o, boolean v6, long hi, long lo, int port) {
        if (!ipv6Socket) {
            return SockAddr.encodeIpv4((int) lo, port, names, o);
        }
        names.set(ValueLayout.JAVA_SHORT, o, (short) Sockets.AF_INET6);
        names.set(BE_SHORT, o + SockAddr.SIN6_PORT, (short) port);
        names.set(BE_INT, o + SockAddr.SIN6_FLOWINFO, 0);
        names.set(BE_LONG, o + SockAddr.SIN6_ADDR, v6 ? hi : V4_MAPPED_HI);
        names.set(BE_LONG, o + SockAddr.SIN6_ADDR + 8, v6 ? lo : (V4_MAPPED_LO_PREFIX << 32) | (lo & 0xFFFFFFFFL));
        names.set(ValueLayout.JAVA_INT, o + SockAddr.SIN6_SCOPE_ID, 0);
        return (int) SockAddr.SOCKADDR_IN6.byteSize();
    }

    @Override
    public boolean toSlowPath(PacketBatch batch, int i) {
        return false;
    }

    @Override
    public int pollFd() {
        return fd;
    }

    /**
     * Frees the batches. Idempotent: the engine closes its workers' ports and the backend,
     * which made them, closes them again with the sockets.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            rx.close();
            tx.close();
        }
    }
}

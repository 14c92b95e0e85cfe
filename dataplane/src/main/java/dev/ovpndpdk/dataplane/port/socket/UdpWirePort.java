package dev.ovpndpdk.dataplane.port.socket;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.MmsgBatch;
import dev.ovpndpdk.bindings.libc.MsgHdr;
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

    /** UDP_MAX_SEGMENTS of older kernels (128 from 6.x; 64 is enough for a burst). */
    private static final int GSO_MAX_SEGMENTS = 64;
    /** The most UDP payload one datagram (and so one GSO train) may carry over IPv4. */
    private static final int GSO_MAX_BYTES = 65535 - 20 - 8;

    private final int fd;
    private final boolean ipv6Socket;
    private final MmsgBatch rx;
    private final MmsgBatch tx;
    /** Sends a refused GSO train again datagram by datagram. */
    private final MmsgBatch single;
    private final MemorySegment names;
    private final boolean gso;
    /** Bound to a wildcard address: each datagram names its source (IP_PKTINFO), when it has one. */
    private final boolean chooseSource;
    /** Datagrams of this size or more are not sent as GSO: the kernel refused such a train (over the MTU). */
    private int gsoRefusedSize = Integer.MAX_VALUE;
    private final int[] runStart;
    private final int[] runLength;
    /** One receive buffer per message when UDP_GRO is on: a coalesced train is at most 64 KiB. */
    private static final int GRO_BUFFER = 64 << 10;
    private final MemorySegment groStaging;
    private int pendingCount;
    private int pendingMessage;
    private int pendingOffset;
    private final AtomicLong groTrains = new AtomicLong();
    private final AtomicLong gsoTrains = new AtomicLong();
    private final AtomicLong gsoRefused = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param fd  a bound, non-blocking UDP socket this port now owns
     * @param gso send runs of equal-sized datagrams to one peer as one UDP GSO train
     *            ({@code UDP_SEGMENT}, docs/socket-offloads.md)
     * @param gro the socket has UDP_GRO on: receive coalesced trains
     * @param chooseSource the socket is bound to a wildcard address: send each datagram from its
     *            entry's source address when it has one (a peer's {@code local}, --multihome)
     */
    UdpWirePort(int fd, boolean ipv6Socket, int burst, boolean gso, boolean gro, boolean chooseSource,
                java.lang.foreign.Arena arena) {
        this.fd = fd;
        this.ipv6Socket = ipv6Socket;
        this.gso = gso;
        this.chooseSource = chooseSource;
        this.rx = new MmsgBatch(burst, gro ? (int) MsgHdr.CMSG_SPACE(Integer.BYTES) : 0);
        this.groStaging = gro ? arena.allocate((long) GRO_BUFFER * burst, 64) : null;
        for (int i = 0; gro && i < burst; i++) {
            rx.setBuffer(i, groStaging.address() + (long) i * GRO_BUFFER, GRO_BUFFER);
        }
        int source = chooseSource ? (int) MsgHdr.CMSG_SPACE(20) : 0; // in6_pktinfo, the larger
        this.tx = new MmsgBatch(burst, source + (gso ? (int) MsgHdr.CMSG_SPACE(Short.BYTES) : 0));
        this.single = new MmsgBatch(burst, source);
        this.names = arena.allocate(SLOT * burst, 8);
        this.runStart = new int[burst];
        this.runLength = new int[burst];
    }

    /** Messages received as UDP GRO trains (more than one datagram each). */
    public long groTrains() {
        return groTrains.get();
    }

    /** Messages sent as UDP GSO trains (more than one datagram each). */
    public long gsoTrains() {
        return gsoTrains.get();
    }

    /** GSO trains the kernel refused (sent again datagram by datagram). */
    public long gsoRefused() {
        return gsoRefused.get();
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
        if (groStaging != null) {
            return receiveCoalesced(b);
        }
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
        for (int i = 0; i < n; i++) {
            if ((rx.messageFlags(i) & Sockets.MSG_TRUNC) != 0) {
                truncated.incrementAndGet();
                continue;
            }
            b.offset[out] = b.slotBase(i) + PacketBatch.HEADROOM;
            b.length[out] = rx.length(i);
            setSource(b, out, i);
            out++;
        }
        b.count = out;
        return out;
    }

    /**
     * With UDP_GRO the kernel may hand over a train of datagrams from one source as one
     * message of up to 64 KiB (its cmsg says the datagram size), so messages land in a staging
     * area and the datagrams are copied to the batch slots; what does not fit this burst is
     * handed out by the next call, before any new {@code recvmmsg}.
     */
    private int receiveCoalesced(PacketBatch b) {
        int out = 0;
        while (out < b.capacity) {
            if (pendingMessage >= pendingCount) {
                if (out > 0) {
                    break;
                }
                int n;
                try {
                    n = rx.receive(fd, rx.capacity(), Sockets.MSG_DONTWAIT);
                } catch (ErrnoException e) {
                    throw new UncheckedIOException(e);
                }
                if (n == 0) {
                    break;
                }
                pendingCount = n;
                pendingMessage = 0;
                pendingOffset = 0;
            }
            int m = pendingMessage;
            int len = rx.length(m);
            if ((rx.messageFlags(m) & Sockets.MSG_TRUNC) != 0) {
                truncated.incrementAndGet();
                pendingMessage++;
                continue;
            }
            if (len == 0) {
                // An empty datagram is one all the same: the worker counts it (malformed) like
                // any other; the copy loop below would have skipped it without a trace.
                long off = b.slotBase(out) + PacketBatch.HEADROOM;
                b.offset[out] = off;
                b.length[out] = 0;
                setSource(b, out, m);
                out++;
                pendingMessage++;
                continue;
            }
            int seg = rx.receivedSegmentSize(m);
            if (seg <= 0) {
                seg = len;
            } else if (pendingOffset == 0) {
                groTrains.incrementAndGet();
            }
            long from = (long) m * GRO_BUFFER;
            while (pendingOffset < len && out < b.capacity) {
                int dl = Math.min(seg, len - pendingOffset);
                if (dl > b.maxPacket()) {
                    truncated.incrementAndGet();
                } else {
                    long off = b.slotBase(out) + PacketBatch.HEADROOM;
                    MemorySegment.copy(groStaging, from + pendingOffset, b.memory, off, dl);
                    b.offset[out] = off;
                    b.length[out] = dl;
                    setSource(b, out, m);
                    out++;
                }
                pendingOffset += dl;
            }
            if (pendingOffset >= len) {
                pendingMessage++;
                pendingOffset = 0;
            }
        }
        b.count = out;
        return out;
    }

    /** Entry {@code out}'s source: message {@code i}'s (v4-mapped IPv6 as IPv4). */
    private void setSource(PacketBatch b, int out, int i) {
        MemorySegment src = rx.names();
        long off = rx.nameOffset(i);
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
    }

    /**
     * One {@code sendmmsg} for the burst. With GSO, each run of datagrams to the same peer, all
     * as long as the first but the last (which may be shorter), is one message that gathers
     * them and carries {@code UDP_SEGMENT}: the kernel then builds and routes one 64 KiB skb
     * instead of 40 (veth and the receiver's UDP_GRO socket keep it whole). A train the kernel
     * refuses (EMSGSIZE/EINVAL: the datagrams do not fit the path's MTU) is sent again
     * datagram by datagram, and if they go, datagrams that large are not trained again.
     */
    @Override
    public int send(PacketBatch b, int count) {
        long base = b.memory.address();
        int messages = 0;
        for (int i = 0; i < count; ) {
            int n = gso ? trainLength(b, i, count) : 1;
            for (int k = i; k < i + n; k++) {
                tx.setBuffer(k, base + b.offset[k], b.length[k]);
            }
            long o = messages * SLOT;
            int len = writeSockaddr(o, b.addrV6[i], b.addrHi[i], b.addrLo[i], b.addrPort[i]);
            tx.setDestination(messages, names, o, len);
            if (chooseSource) {
                tx.setSource(messages, ipv6Socket, b.addrV6[i], b.srcHi[i], b.srcLo[i]);
            }
            if (gso) { // without GSO, message i keeps gathering iovec i alone, as built
                tx.setGather(messages, i, n);
                tx.setSegmentSize(messages, n > 1 ? b.length[i] : 0);
            }
            runStart[messages] = i;
            runLength[messages] = n;
            messages++;
            i += n;
        }
        int sent = 0;
        int from = 0;
        while (from < messages) {
            int r = tx.send(fd, from, messages - from, Sockets.MSG_DONTWAIT);
            if (r > 0) {
                for (int m = from; m < from + r; m++) {
                    sent += runLength[m];
                    if (runLength[m] > 1) {
                        gsoTrains.incrementAndGet();
                    }
                }
                from += r;
            } else if (r == 0) {
                break; // socket buffer full: the rest is TX_FULL
            } else if (runLength[from] > 1) {
                gsoRefused.incrementAndGet();
                int singly = sendSingly(b, runStart[from], runLength[from]);
                if (singly > 0) {
                    // The datagrams went one by one, so the train was what the kernel refused
                    // (MTU). Datagrams refused too are the route's fault (ENETUNREACH, EPERM):
                    // one dead peer must not turn GSO off for every peer.
                    gsoRefusedSize = Math.min(gsoRefusedSize, b.length[runStart[from]]);
                }
                sent += singly;
                from++;
            } else {
                refused.incrementAndGet(); // this one datagram cannot go; the others may
                from++;
            }
        }
        return sent;
    }

    /** How many datagrams from entry {@code i} on can go as one GSO train (1: none). */
    private int trainLength(PacketBatch b, int i, int count) {
        int size = b.length[i];
        if (size >= gsoRefusedSize) {
            return 1;
        }
        int n = 1;
        int total = size;
        while (i + n < count && n < GSO_MAX_SEGMENTS) {
            int j = i + n;
            int l = b.length[j];
            if (l > size || total + l > GSO_MAX_BYTES || b.addrPort[j] != b.addrPort[i] || b.addrLo[j] != b.addrLo[i]
                    || b.addrHi[j] != b.addrHi[i] || b.addrV6[j] != b.addrV6[i]
                    || b.srcLo[j] != b.srcLo[i] || b.srcHi[j] != b.srcHi[i]) {
                break;
            }
            total += l;
            n++;
            if (l < size) {
                break; // only the last datagram of a train may be shorter
            }
        }
        return n;
    }

    /** Entries {@code [first, first + n)} as separate datagrams; returns how many went. */
    private int sendSingly(PacketBatch b, int first, int n) {
        long base = b.memory.address();
        for (int k = 0; k < n; k++) {
            int e = first + k;
            single.setBuffer(k, base + b.offset[e], b.length[e]);
            long o = k * SLOT; // the names of the messages already sent are free again
            int len = writeSockaddr(o, b.addrV6[e], b.addrHi[e], b.addrLo[e], b.addrPort[e]);
            single.setDestination(k, names, o, len);
            if (chooseSource) {
                single.setSource(k, ipv6Socket, b.addrV6[e], b.srcHi[e], b.srcLo[e]);
            }
        }
        int sent = 0;
        int from = 0;
        while (from < n) {
            int r = single.send(fd, from, n - from, Sockets.MSG_DONTWAIT);
            if (r > 0) {
                sent += r;
                from += r;
            } else if (r == 0) {
                break;
            } else {
                refused.incrementAndGet();
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
            single.close();
        }
    }
}

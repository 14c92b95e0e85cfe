package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A reusable burst of datagrams for {@code recvmmsg}/{@code sendmmsg}: {@code capacity} slots,
 * each a {@code struct mmsghdr} with one {@code iovec}, room for an IPv4/IPv6 sockaddr and an
 * optional control-message area. A worker allocates one per direction at start-up; every burst is
 * then one downcall and no allocation.
 *
 * <p>Usage: point each slot at a packet buffer with {@link #setBuffer}; {@link #receive} fills
 * lengths ({@link #length}) and source addresses ({@link #sourcePort}, {@link #names()}); set
 * destinations ({@link #setDestination}) and lengths, then {@link #send}. After a receive, each
 * slot's destination is the datagram's source, so replying in place needs no address copy.
 *
 * <p>Memory is one native block: the mmsghdr array (which the kernel reads), then the iovecs,
 * the 32-byte sockaddr slots and the control areas, all at fixed offsets. Not thread-safe: one
 * worker owns it.
 */
public final class MmsgBatch implements AutoCloseable {

    private static final long HDR = MsgHdr.MMSGHDR.byteSize();
    private static final long IOV = MsgHdr.IOVEC.byteSize();
    private static final long NAME = SockAddr.INET_SLOT_SIZE;

    // The arrays are passed as raw addresses: the batch owns the memory for its whole life, and
    // a JAVA_LONG argument keeps the downcall free of any per-call segment bookkeeping.
    private static final FunctionDescriptor RECVMMSG_FD = FunctionDescriptor.of(
            JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor SENDMMSG_FD = FunctionDescriptor.of(
            JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    // Two handles per call: the first attempt without errno capture, which allocates nothing
    // wherever the JIT inlines it, and a capturing retry only when the first attempt failed
    // (see package-info, "errno on the fast path").
    private static final MethodHandle RECVMMSG = Libc.call("recvmmsg", RECVMMSG_FD);
    private static final MethodHandle RECVMMSG_ERRNO = Libc.errnoCall("recvmmsg", RECVMMSG_FD);
    private static final MethodHandle SENDMMSG = Libc.call("sendmmsg", SENDMMSG_FD);
    private static final MethodHandle SENDMMSG_ERRNO = Libc.errnoCall("sendmmsg", SENDMMSG_FD);

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct in_pktinfo}: ifindex, spec_dst, addr. */
    static final int IN_PKTINFO_BYTES = 12;
    /** {@code struct in6_pktinfo}: addr, ifindex. */
    static final int IN6_PKTINFO_BYTES = 20;

    private final int capacity;
    private final int controlSize;
    private final Arena arena;
    private final MemorySegment mem;
    private final MemorySegment errno;
    private final long base;
    private final long iovOff;
    private final long nameOff;
    private final long controlOff;
    /** msg_controllen each slot sends with: its source cmsg, then its GSO cmsg, each if set. */
    private final int[] sendControlLen;
    /** The bytes of each slot's control area the source address takes (0: none); GSO's cmsg follows. */
    private final int[] sourceControlLen;
    private int lastErrno;
    /** Failed receives since errno was last looked at; see {@link #ERRNO_SAMPLE}. */
    private int unexaminedFailures;

    /**
     * A failed receive is almost always an empty queue (EAGAIN), polled thousands of times a
     * second by an idle direction of a busy worker. Repeating each one with errno capture to
     * prove it would double those system calls, so only every {@code ERRNO_SAMPLE}-th is
     * examined: a persistent error (a bug — bad fd or buffer) still surfaces within that
     * many polls, a few microseconds. Unconnected UDP sockets report no transient errors on
     * receive, so none is lost in between.
     */
    static final int ERRNO_SAMPLE = 256;

    /** A batch without control-message space. */
    public MmsgBatch(int capacity) {
        this(capacity, 0);
    }

    /**
     * @param controlSize bytes of control-message space per slot, for UDP_GRO/UDP_SEGMENT or
     *     IP_PKTINFO cmsgs (e.g. {@code MsgHdr.CMSG_SPACE(4)}); rounded up to 8.
     */
    public MmsgBatch(int capacity, int controlSize) {
        if (capacity <= 0 || capacity > 1024) { // UIO_MAXIOV: the kernel caps vlen at 1024
            throw new IllegalArgumentException("capacity must be 1..1024: " + capacity);
        }
        this.capacity = capacity;
        this.controlSize = (int) MsgHdr.CMSG_ALIGN(Math.max(0, controlSize));
        this.iovOff = capacity * HDR;
        this.nameOff = iovOff + capacity * IOV;
        this.controlOff = nameOff + capacity * NAME;
        this.arena = Arena.ofShared(); // built by the control thread, used by a worker
        this.mem = arena.allocate(controlOff + (long) capacity * this.controlSize, 64);
        this.errno = Errno.allocateState(arena);
        this.base = mem.address();
        this.sendControlLen = new int[capacity];
        this.sourceControlLen = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            long h = hdr(i);
            mem.set(JAVA_LONG, h + MsgHdr.MSG_NAME, base + nameOff + i * NAME);
            mem.set(JAVA_INT, h + MsgHdr.MSG_NAMELEN, 0);
            mem.set(JAVA_LONG, h + MsgHdr.MSG_IOV, base + iovOff + i * IOV);
            mem.set(JAVA_LONG, h + MsgHdr.MSG_IOVLEN, 1L);
            mem.set(JAVA_LONG, h + MsgHdr.MSG_CONTROL, this.controlSize == 0 ? 0L : base + control(i));
        }
    }

    public int capacity() {
        return capacity;
    }

    private static long hdr(int slot) {
        return slot * HDR;
    }

    private long control(int slot) {
        return controlOff + (long) slot * controlSize;
    }

    /** Points {@code slot} at {@code length} bytes at native address {@code address}. */
    public void setBuffer(int slot, long address, int length) {
        long iov = iovOff + Objects.checkIndex(slot, capacity) * IOV;
        mem.set(JAVA_LONG, iov + MsgHdr.IOV_BASE, address);
        mem.set(JAVA_LONG, iov + MsgHdr.IOV_LEN, length);
    }

    /** Changes only the length: the bytes to send, or the room to receive into. */
    public void setLength(int slot, int length) {
        mem.set(JAVA_LONG, iovOff + Objects.checkIndex(slot, capacity) * IOV + MsgHdr.IOV_LEN, length);
    }

    /**
     * Makes message {@code slot} gather the buffers of slots {@code [first, first + count)} into
     * one datagram (their iovecs lie one after the other) — with {@link #setSegmentSize}, a UDP
     * GSO train without copying the packets together. {@code setGather(i, i, 1)} is the default.
     */
    public void setGather(int slot, int first, int count) {
        Objects.checkIndex(slot, capacity);
        Objects.checkFromIndexSize(first, count, capacity);
        long h = hdr(slot);
        mem.set(JAVA_LONG, h + MsgHdr.MSG_IOV, base + iovOff + first * IOV);
        mem.set(JAVA_LONG, h + MsgHdr.MSG_IOVLEN, (long) count);
    }

    public long bufferAddress(int slot) {
        return mem.get(JAVA_LONG, iovOff + Objects.checkIndex(slot, capacity) * IOV + MsgHdr.IOV_BASE);
    }

    /** Copies a ready sockaddr ({@code length} 16 or 28 bytes) as the slot's destination. */
    public void setDestination(int slot, MemorySegment sockaddr, long offset, int length) {
        if (length > NAME) {
            throw new IllegalArgumentException("sockaddr too long for a slot: " + length);
        }
        MemorySegment.copy(sockaddr, offset, mem, nameOffset(slot), length);
        mem.set(JAVA_INT, hdr(slot) + MsgHdr.MSG_NAMELEN, length);
    }

    /** IPv4 destination from host-order values, without allocating. */
    public void setDestinationIpv4(int slot, int address, int port) {
        int len = SockAddr.encodeIpv4(address, port, mem, nameOffset(slot));
        mem.set(JAVA_INT, hdr(slot) + MsgHdr.MSG_NAMELEN, len);
    }

    /** Destination from an {@link InetSocketAddress} (control path: the address allocates). */
    public void setDestination(int slot, InetSocketAddress address) {
        int len = SockAddr.encode(address, mem, nameOffset(slot));
        mem.set(JAVA_INT, hdr(slot) + MsgHdr.MSG_NAMELEN, len);
    }

    /** No destination: for a connected socket. */
    public void clearDestination(int slot) {
        mem.set(JAVA_INT, hdr(Objects.checkIndex(slot, capacity)) + MsgHdr.MSG_NAMELEN, 0);
    }

    /**
     * Sends {@code count} datagrams from slot {@code from} on with one {@code sendmmsg}.
     *
     * @return the number sent (it may be fewer than {@code count}: resend the rest later);
     *     0 when nothing could be sent now (EAGAIN, ENOBUFS, EINTR); or {@code -errno} when the
     *     kernel refused the datagram in slot {@code from} (EMSGSIZE, ENETUNREACH, EPERM...):
     *     drop that one and call again from {@code from + 1}. Never throws for an errno, so a
     *     peer behind a dead route costs no exception per burst.
     */
    public int send(int fd, int from, int count, int flags) {
        Objects.checkFromIndexSize(from, count, capacity);
        if (count == 0) {
            return 0;
        }
        for (int i = from; i < from + count; i++) {
            mem.set(JAVA_LONG, hdr(i) + MsgHdr.MSG_CONTROLLEN, sendControlLen[i]);
        }
        int n = sendmmsg(fd, base + hdr(from), count, flags);
        if (n >= 0) {
            lastErrno = 0;
            return n;
        }
        lastErrno = Errno.get(errno);
        return lastErrno == Errno.EAGAIN || lastErrno == Errno.ENOBUFS || lastErrno == Errno.EINTR ? 0 : -lastErrno;
    }

    /**
     * Receives up to {@code count} datagrams into slots 0.. with one {@code recvmmsg}.
     *
     * @param flags usually {@link Sockets#MSG_DONTWAIT}
     * @return how many arrived; 0 when none is queued (EAGAIN) or a signal interrupted the call
     * @throws ErrnoException for anything else (a bad fd, a bad buffer address): a bug, not traffic
     */
    public int receive(int fd, int count, int flags) throws ErrnoException {
        Objects.checkFromIndexSize(0, count, capacity);
        for (int i = 0; i < count; i++) {
            long h = hdr(i);
            // The kernel overwrites these per message; they must be reset to the room available.
            mem.set(JAVA_INT, h + MsgHdr.MSG_NAMELEN, (int) NAME);
            mem.set(JAVA_LONG, h + MsgHdr.MSG_CONTROLLEN, controlSize);
        }
        int n = recvmmsgNoErrno(fd, base, count, flags);
        if (n >= 0) {
            lastErrno = 0;
            return n;
        }
        if (++unexaminedFailures < ERRNO_SAMPLE) {
            lastErrno = Errno.EAGAIN;
            return 0;
        }
        unexaminedFailures = 0;
        n = recvmmsgErrno(fd, base, count, flags);
        if (n >= 0) {
            lastErrno = 0;
            return n;
        }
        lastErrno = Errno.get(errno);
        if (Errno.isTransient(lastErrno)) {
            return 0;
        }
        throw new ErrnoException("recvmmsg(fd " + fd + ")", lastErrno);
    }

    private int sendmmsg(int fd, long vec, int count, int flags) {
        try {
            int n = (int) SENDMMSG.invokeExact(fd, vec, count, flags);
            // Failed: nothing was sent, so sending again is safe and tells us errno reliably.
            return n >= 0 ? n : (int) SENDMMSG_ERRNO.invokeExact(errno, fd, vec, count, flags);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private int recvmmsgNoErrno(int fd, long vec, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(fd, vec, count, flags, 0L);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    private int recvmmsgErrno(int fd, long vec, int count, int flags) {
        try {
            return (int) RECVMMSG_ERRNO.invokeExact(errno, fd, vec, count, flags, 0L);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** errno of the last send/receive that failed, 0 after one that succeeded. */
    public int lastErrno() {
        return lastErrno;
    }

    /** Bytes received into (or sent from) {@code slot} by the last call. */
    public int length(int slot) {
        return mem.get(JAVA_INT, hdr(Objects.checkIndex(slot, capacity)) + MsgHdr.MSG_LEN);
    }

    /** msg_flags of a received slot: {@link Sockets#MSG_TRUNC} means the buffer was too small. */
    public int messageFlags(int slot) {
        return mem.get(JAVA_INT, hdr(Objects.checkIndex(slot, capacity)) + MsgHdr.MSG_FLAGS);
    }

    /** The segment holding every slot's sockaddr, for {@link SockAddr}'s accessors. */
    public MemorySegment names() {
        return mem;
    }

    /** Offset in {@link #names()} of {@code slot}'s sockaddr (source after receive, destination for send). */
    public long nameOffset(int slot) {
        return nameOff + Objects.checkIndex(slot, capacity) * NAME;
    }

    public int sourceFamily(int slot) {
        return SockAddr.family(mem, nameOffset(slot));
    }

    public int sourcePort(int slot) {
        return SockAddr.port(mem, nameOffset(slot));
    }

    /** Source IPv4 address, host order; only meaningful when the family is AF_INET. */
    public int sourceIpv4(int slot) {
        return SockAddr.ipv4(mem, nameOffset(slot));
    }

    /** The source as an object; allocates, so for the slow path and tests. */
    public InetSocketAddress source(int slot) {
        return SockAddr.decode(mem, nameOffset(slot));
    }

    /**
     * The GSO segment size of a received slot from its UDP_GRO cmsg (the buffer holds several
     * datagrams of this size, the last maybe shorter), or 0 for a single datagram.
     */
    public int receivedSegmentSize(int slot) {
        if (controlSize == 0) {
            return 0;
        }
        long len = mem.get(JAVA_LONG, hdr(Objects.checkIndex(slot, capacity)) + MsgHdr.MSG_CONTROLLEN);
        long data = MsgHdr.findCmsg(mem, control(slot), len, SockOpt.SOL_UDP, SockOpt.UDP_GRO);
        return data < 0 ? 0 : mem.get(JAVA_INT, data);
    }

    /**
     * The address {@code slot} leaves from, for a socket bound to a wildcard address on a host
     * with several (OpenVPN's --multihome): an {@code IP_PKTINFO} cmsg with {@code ipi_spec_dst}
     * on an IPv4 socket, an {@code IPV6_PKTINFO} one with {@code ipi6_addr} on an IPv6 socket
     * (v4-mapped for an IPv4 destination; the kernel takes that for a dual-stack socket's IPv4
     * send). {@code hi} and {@code lo} as {@code Remote} encodes addresses, IPv4 in {@code lo};
     * both 0 leaves the choice to the kernel. Call before {@link #setSegmentSize}, which puts its
     * cmsg after this one. Needs {@code CMSG_SPACE(20)} bytes of control space (plus GSO's).
     */
    public void setSource(int slot, boolean v6Socket, boolean v6, long hi, long lo) {
        Objects.checkIndex(slot, capacity);
        if (hi == 0 && lo == 0) {
            sourceControlLen[slot] = 0;
            sendControlLen[slot] = 0;
            return;
        }
        long at = control(slot);
        int space;
        if (v6Socket) {
            space = (int) MsgHdr.CMSG_SPACE(IN6_PKTINFO_BYTES);
            requireControl(space, "IPV6_PKTINFO");
            long data = MsgHdr.putCmsg(mem, at, Sockets.IPPROTO_IPV6, SockOpt.IPV6_PKTINFO, IN6_PKTINFO_BYTES);
            mem.set(BE_LONG, data, v6 ? hi : 0L);
            mem.set(BE_LONG, data + 8, v6 ? lo : 0xFFFF_0000_0000L | (lo & 0xFFFF_FFFFL));
            mem.set(JAVA_INT, data + 16, 0); // ipi6_ifindex: any interface
        } else {
            space = (int) MsgHdr.CMSG_SPACE(IN_PKTINFO_BYTES);
            requireControl(space, "IP_PKTINFO");
            long data = MsgHdr.putCmsg(mem, at, Sockets.IPPROTO_IP, SockOpt.IP_PKTINFO, IN_PKTINFO_BYTES);
            mem.set(JAVA_INT, data, 0);                       // ipi_ifindex: any interface
            mem.set(BE_INT, data + 4, (int) lo);              // ipi_spec_dst: the source
            mem.set(JAVA_INT, data + 8, 0);                   // ipi_addr: ignored on send
        }
        sourceControlLen[slot] = space;
        sendControlLen[slot] = space;
    }

    /**
     * Sends {@code slot} as UDP GSO: the buffer is cut into datagrams of {@code segmentSize} bytes
     * by the kernel (or the NIC). 0 turns it off. Needs {@code CMSG_SPACE(2)} bytes of control
     * space, after the source address's if {@link #setSource} set one.
     */
    public void setSegmentSize(int slot, int segmentSize) {
        Objects.checkIndex(slot, capacity);
        int at = sourceControlLen[slot];
        if (segmentSize == 0) {
            sendControlLen[slot] = at;
            return;
        }
        int space = (int) MsgHdr.CMSG_SPACE(Short.BYTES);
        requireControl(at + space, "GSO");
        long data = MsgHdr.putCmsg(mem, control(slot) + at, SockOpt.SOL_UDP, SockOpt.UDP_SEGMENT, Short.BYTES);
        mem.set(JAVA_SHORT, data, (short) segmentSize);
        sendControlLen[slot] = at + space;
    }

    private void requireControl(long bytes, String what) {
        if (controlSize < bytes) {
            throw new IllegalStateException("batch has " + controlSize + " bytes of control space, " + what + " needs " + bytes);
        }
    }

    /** Frees the native block; the batch must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}

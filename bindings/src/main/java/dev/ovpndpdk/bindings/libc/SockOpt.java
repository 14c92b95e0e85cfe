package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code setsockopt}/{@code getsockopt} and the option numbers the socket backend uses.
 * Values are Linux asm-generic (x86_64).
 */
public final class SockOpt {

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_PASSCRED = 16;
    public static final int SO_PEERCRED = 17;
    public static final int SO_BINDTODEVICE = 25;
    /** Like SO_SNDBUF but ignores net.core.wmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    /** Like SO_RCVBUF but ignores net.core.rmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;
    public static final int SO_RXQ_OVFL = 40;
    public static final int SO_INCOMING_CPU = 49;
    public static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    public static final int SO_DETACH_REUSEPORT_BPF = 68;
    /** getsockopt: the socket's memory counters, {@code SK_MEMINFO_VARS} u32s (linux/sock_diag.h). */
    public static final int SO_MEMINFO = 55;
    /** The socket's cookie: a u64 the kernel gives each socket, unique until reboot (Linux 4.12+). */
    public static final int SO_COOKIE = 57;
    /** Index in the SO_MEMINFO array: datagrams the kernel dropped at this socket (receive buffer full). */
    public static final int SK_MEMINFO_DROPS = 8;
    public static final int SK_MEMINFO_VARS = 9;

    public static final int IP_TOS = 1;
    public static final int IP_PKTINFO = 8;
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_RECVERR = 11;
    /** IP_MTU_DISCOVER values. */
    public static final int IP_PMTUDISC_DONT = 0;
    public static final int IP_PMTUDISC_DO = 2;

    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;

    public static final int SOL_UDP = 17;
    /** UDP GSO: setsockopt value or cmsg (u16) = segment size; one send carries many datagrams. */
    public static final int UDP_SEGMENT = 103;
    /** UDP GRO: receive coalesced datagrams; cmsg (int) carries the segment size. */
    public static final int UDP_GRO = 104;

    private static final MethodHandle SETSOCKOPT = Libc.errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Libc.errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private SockOpt() {
    }

    /** {@code setsockopt} with a raw option value (a struct, e.g. sock_fprog). */
    public static void set(int fd, int level, int name, MemorySegment value, String what) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) SETSOCKOPT.invokeExact(st, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "setsockopt(fd " + fd + ", " + what + ")");
        }
    }

    /** {@code setsockopt} with an int value; {@code what} names the option in error messages. */
    public static void setInt(int fd, int level, int name, int value, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            set(fd, level, name, arena.allocateFrom(JAVA_INT, value), what + "=" + value);
        }
    }

    /**
     * {@code getsockopt} into {@code value}; returns the length the kernel wrote.
     */
    public static int get(int fd, int level, int name, MemorySegment value, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            MemorySegment st = Errno.state();
            int r;
            try {
                r = (int) GETSOCKOPT.invokeExact(st, fd, level, name, value, len);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r < 0) {
                throw Errno.exception(st, "getsockopt(fd " + fd + ", " + what + ")");
            }
            return len.get(JAVA_INT, 0);
        }
    }

    public static int getInt(int fd, int level, int name, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            get(fd, level, name, v, what);
            return v.get(JAVA_INT, 0);
        }
    }

    public static void setBoolean(int fd, int level, int name, boolean on, String what) throws ErrnoException {
        setInt(fd, level, name, on ? 1 : 0, what);
    }

    /** Must come before bind: SO_REUSEPORT set later leaves the socket outside the group. */
    public static void setReusePort(int fd, boolean on) throws ErrnoException {
        setBoolean(fd, SOL_SOCKET, SO_REUSEPORT, on, "SO_REUSEPORT");
    }

    /**
     * Whether SO_REUSEPORT is set on {@code fd} now. A handed-over socket without it can never
     * share its port with worker sockets, so the daemon refuses it. The flag alone cannot tell
     * whether it was set before bind; {@link ReuseportSteering#attach} can (it fails for a bound
     * socket outside any group).
     */
    public static boolean reusePortEnabled(int fd) throws ErrnoException {
        return getInt(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT") != 0;
    }

    /**
     * What the kernel dropped at this socket: {@code SK_MEMINFO_DROPS} of SO_MEMINFO (Linux 3.10+),
     * mostly datagrams that found the receive buffer full, the counter {@code ss -m} shows as
     * {@code d}. A u32 in the kernel: it wraps at 2^32.
     */
    public static long receiveDrops(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT, SK_MEMINFO_VARS);
            get(fd, SOL_SOCKET, SO_MEMINFO, v, "SO_MEMINFO");
            return Integer.toUnsignedLong(v.getAtIndex(JAVA_INT, SK_MEMINFO_DROPS));
        }
    }

    /**
     * The socket's identity ({@code SO_COOKIE}): two descriptors name the same socket exactly
     * when their cookies are equal, whatever process they came from; a closed socket's cookie
     * is never given again before reboot. Addresses cannot tell two sockets bound to one port
     * in a reuseport group apart.
     */
    public static long cookie(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_LONG);
            get(fd, SOL_SOCKET, SO_COOKIE, v, "SO_COOKIE");
            return v.get(JAVA_LONG, 0);
        }
    }

    public static void setReuseAddr(int fd, boolean on) throws ErrnoException {
        setBoolean(fd, SOL_SOCKET, SO_REUSEADDR, on, "SO_REUSEADDR");
    }

    /**
     * Sets the receive buffer, first with SO_RCVBUFFORCE (root: not capped by rmem_max), falling
     * back to SO_RCVBUF. Returns what the kernel actually granted (it doubles the request for
     * bookkeeping, and caps it without the capability).
     */
    public static int setReceiveBuffer(int fd, int bytes) throws ErrnoException {
        return setBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, bytes, "SO_RCVBUF");
    }

    /** As {@link #setReceiveBuffer}, for the send side. */
    public static int setSendBuffer(int fd, int bytes) throws ErrnoException {
        return setBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    private static int setBuffer(int fd, int force, int plain, int bytes, String what) throws ErrnoException {
        try {
            setInt(fd, SOL_SOCKET, force, bytes, what + "FORCE");
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            setInt(fd, SOL_SOCKET, plain, bytes, what);
        }
        return getInt(fd, SOL_SOCKET, plain, what);
    }

    public static void setV6Only(int fd, boolean on) throws ErrnoException {
        setBoolean(fd, Sockets.IPPROTO_IPV6, IPV6_V6ONLY, on, "IPV6_V6ONLY");
    }

    /** Ask for IP_PKTINFO cmsgs: the local address each datagram was sent to. */
    public static void setPacketInfo(int fd, boolean on) throws ErrnoException {
        setBoolean(fd, Sockets.IPPROTO_IP, IP_PKTINFO, on, "IP_PKTINFO");
    }

    /** UDP GSO for every send on {@code fd}: datagrams larger than {@code size} are split (0 = off). */
    public static void setUdpSegment(int fd, int size) throws ErrnoException {
        setInt(fd, SOL_UDP, UDP_SEGMENT, size, "UDP_SEGMENT");
    }

    /** UDP GRO: the kernel may hand one coalesced buffer plus a UDP_GRO cmsg with the segment size. */
    public static void setUdpGro(int fd, boolean on) throws ErrnoException {
        setBoolean(fd, SOL_UDP, UDP_GRO, on, "UDP_GRO");
    }

    /** Pending error of the socket (SO_ERROR), cleared by reading it. */
    public static int pendingError(int fd) throws ErrnoException {
        return getInt(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR");
    }
}

package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Socket lifecycle: {@code socket}, {@code bind}, {@code connect}, {@code listen},
 * {@code accept4}, {@code getsockname}/{@code getpeername}, {@code shutdown}, and the single
 * datagram {@code sendto}/{@code recvfrom} the slow path and tests use (bursts go through
 * {@link MmsgBatch}). Options live in {@link SockOpt}; close/dup/fcntl in {@link Fd}.
 */
public final class Sockets {

    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    /** Or-ed into the type: the new fd is non-blocking (saves an fcntl). */
    public static final int SOCK_NONBLOCK = 0x800;
    /** Or-ed into the type: close-on-exec, so helper processes we spawn never inherit sockets. */
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;

    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    private static final MethodHandle SOCKET = Libc.errnoCall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Libc.errnoCall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.errnoCall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Libc.errnoCall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Libc.errnoCall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.errnoCall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = Libc.errnoCall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SHUTDOWN = Libc.errnoCall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // Pointers as JAVA_LONG: callers hand raw buffer addresses, no MemorySegment per datagram.
    private static final MethodHandle SENDTO = Libc.errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = Libc.errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private Sockets() {
    }

    /** {@code socket(domain, type, protocol)}; add SOCK_NONBLOCK/SOCK_CLOEXEC to {@code type}. */
    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        MemorySegment st = Errno.state();
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(st, domain, type, protocol);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (fd < 0) {
            throw Errno.exception(st, "socket(" + domain + ", " + type + ")");
        }
        return fd;
    }

    /** A non-blocking, close-on-exec UDP socket of the family of {@code forAddress}. */
    public static int udp(InetSocketAddress forAddress) throws ErrnoException {
        int family = forAddress.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
        return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    }

    public static void bind(int fd, InetSocketAddress address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = SockAddr.allocate(arena, address);
            if (bindRaw(fd, sa) < 0) {
                throw Errno.exception(Errno.state(), "bind(" + SockAddr.toString(address) + ")");
            }
        }
    }

    /** {@code bind} with a sockaddr already in memory (any family); -1 with errno in {@link Errno#state()}. */
    static int bindRaw(int fd, MemorySegment sockaddr) {
        try {
            return (int) BIND.invokeExact(Errno.state(), fd, sockaddr, (int) sockaddr.byteSize());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** {@code connect}; for a non-blocking stream socket EINPROGRESS is not an error (returns false). */
    public static boolean connect(int fd, InetSocketAddress address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = SockAddr.allocate(arena, address);
            return connectRaw(fd, sa, SockAddr.toString(address));
        }
    }

    static boolean connectRaw(int fd, MemorySegment sockaddr, String what) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) CONNECT.invokeExact(st, fd, sockaddr, (int) sockaddr.byteSize());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            if (Errno.get(st) == Errno.EINPROGRESS) {
                return false;
            }
            throw Errno.exception(st, "connect(" + what + ")");
        }
        return true;
    }

    public static void listen(int fd, int backlog) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) LISTEN.invokeExact(st, fd, backlog);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "listen(fd " + fd + ")");
        }
    }

    /**
     * {@code accept4(fd, NULL, NULL, flags)}: the new connection's fd, or -1 when a non-blocking
     * listener has none pending. {@code flags}: SOCK_NONBLOCK | SOCK_CLOEXEC.
     */
    public static int accept(int fd, int flags) throws ErrnoException {
        MemorySegment st = Errno.state();
        int c;
        try {
            c = (int) ACCEPT4.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (c < 0) {
            if (Errno.isTransient(Errno.get(st))) {
                return -1;
            }
            throw Errno.exception(st, "accept(fd " + fd + ")");
        }
        return c;
    }

    /** The local address of an inet socket (the port the kernel chose after binding port 0). */
    public static InetSocketAddress localAddress(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.SOCKADDR_STORAGE);
            getsockname(fd, sa);
            return SockAddr.decode(sa, 0);
        }
    }

    /** The remote address of a connected inet socket. */
    public static InetSocketAddress remoteAddress(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.SOCKADDR_STORAGE);
            rawName(GETPEERNAME, "getpeername", fd, sa);
            return SockAddr.decode(sa, 0);
        }
    }

    /**
     * Raw {@code getsockname} into {@code dst} (128 bytes hold any family); returns the address
     * length. Works for every family, e.g. AF_UNIX.
     */
    public static int getsockname(int fd, MemorySegment dst) throws ErrnoException {
        return rawName(GETSOCKNAME, "getsockname", fd, dst);
    }

    private static int rawName(MethodHandle h, String call, int fd, MemorySegment dst) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, (int) Math.min(dst.byteSize(), Integer.MAX_VALUE));
            MemorySegment st = Errno.state();
            int r;
            try {
                r = (int) h.invokeExact(st, fd, dst, len);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r < 0) {
                throw Errno.exception(st, call + "(fd " + fd + ")");
            }
            return len.get(JAVA_INT, 0);
        }
    }

    public static void shutdown(int fd, int how) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) SHUTDOWN.invokeExact(st, fd, how);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "shutdown(fd " + fd + ")");
        }
    }

    /**
     * One datagram to {@code sockaddr}/{@code sockaddrLen} (0/0 on a connected socket). Returns
     * the bytes sent, or -1 when the socket buffer is full (EAGAIN); other errors throw.
     */
    public static int sendTo(int fd, long buffer, int length, int flags, long sockaddr, int sockaddrLen)
            throws ErrnoException {
        MemorySegment st = Errno.state();
        long n;
        try {
            n = (long) SENDTO.invokeExact(st, fd, buffer, (long) length, flags, sockaddr, sockaddrLen);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (n < 0) {
            if (Errno.isTransient(Errno.get(st))) {
                return -1;
            }
            throw Errno.exception(st, "sendto(fd " + fd + ")");
        }
        return (int) n;
    }

    /**
     * One datagram into {@code buffer}; its source goes to {@code sockaddr} (capacity in the int
     * at {@code sockaddrLenPtr}, updated by the kernel) unless both are 0. Returns the datagram's
     * length, or -1 when nothing is queued on a non-blocking socket; other errors throw.
     */
    public static int recvFrom(int fd, long buffer, int length, int flags, long sockaddr, long sockaddrLenPtr)
            throws ErrnoException {
        MemorySegment st = Errno.state();
        long n;
        try {
            n = (long) RECVFROM.invokeExact(st, fd, buffer, (long) length, flags, sockaddr, sockaddrLenPtr);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (n < 0) {
            if (Errno.isTransient(Errno.get(st))) {
                return -1;
            }
            throw Errno.exception(st, "recvfrom(fd " + fd + ")");
        }
        return (int) n;
    }
}

package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Operations on any file descriptor: {@code open}, {@code close}, {@code dup}, {@code fcntl}
 * (O_NONBLOCK, FD_CLOEXEC), {@code fchmod}, {@code ioctl}, and the TUN fast path's
 * {@code read}/{@code write}/{@code readv}/{@code writev}.
 *
 * <p>The I/O calls take buffer addresses as {@code long}: a worker keeps its packet slab's
 * addresses in a {@code long[]} and must not create a MemorySegment per packet. They return -1
 * for EAGAIN/EINTR (nothing to do now) and throw for real errors. A failed first attempt is
 * repeated once with errno capture (safe: a failed read or write did nothing), so a pending
 * asynchronous socket error consumed by the first attempt is not reported.
 */
public final class Fd {

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;

    private static final MethodHandle OPEN = Libc.errnoCall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = Libc.errnoCall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP = Libc.errnoCall("dup",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // fcntl and ioctl are variadic; the third argument is passed as a 64-bit integer, which on
    // the LP64 ABIs is how both an int and a pointer travel.
    private static final MethodHandle FCNTL = Libc.errnoCallVariadic("fcntl", 2,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle IOCTL = Libc.errnoCallVariadic("ioctl", 2,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FCHMOD = Libc.errnoCall("fchmod",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // The per-packet calls come in pairs: a first attempt without errno capture (nothing to
    // allocate, whatever the JIT decides to inline) and, only when it fails, a capturing retry
    // that learns errno reliably. See package-info, "errno on the fast path".
    private static final FunctionDescriptor RW = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor RWV = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle READ = Libc.call("read", RW);
    private static final MethodHandle READ_ERRNO = Libc.errnoCall("read", RW);
    private static final MethodHandle WRITE = Libc.call("write", RW);
    private static final MethodHandle WRITE_ERRNO = Libc.errnoCall("write", RW);
    private static final MethodHandle READV = Libc.call("readv", RWV);
    private static final MethodHandle READV_ERRNO = Libc.errnoCall("readv", RWV);
    private static final MethodHandle WRITEV = Libc.call("writev", RWV);
    private static final MethodHandle WRITEV_ERRNO = Libc.errnoCall("writev", RWV);

    private Fd() {
    }

    public static int open(String path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Errno.state();
            int fd;
            try {
                fd = (int) OPEN.invokeExact(st, arena.allocateFrom(path), flags);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (fd < 0) {
                throw Errno.exception(st, "open(" + path + ")");
            }
            return fd;
        }
    }

    /**
     * Closes {@code fd}. EINTR is not retried: on Linux the fd is released even then, and a retry
     * could close an fd another thread has just been given.
     */
    public static void close(int fd) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) CLOSE.invokeExact(st, fd);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0 && Errno.get(st) != Errno.EINTR) {
            throw Errno.exception(st, "close(" + fd + ")");
        }
    }

    /** Closes, ignoring errors; for cleanup paths (and negative fds, which are skipped). */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (ErrnoException ignored) {
                // nothing useful to do while cleaning up
            }
        }
    }

    /** A close-on-exec duplicate of {@code fd} (F_DUPFD_CLOEXEC, unlike plain dup). */
    public static int dup(int fd) throws ErrnoException {
        return fcntl(fd, F_DUPFD_CLOEXEC, 0, "F_DUPFD_CLOEXEC");
    }

    /** Plain {@code dup(2)}: the copy is inheritable across exec. */
    public static int dupInheritable(int fd) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) DUP.invokeExact(st, fd);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "dup(" + fd + ")");
        }
        return r;
    }

    public static int fcntl(int fd, int cmd, long arg, String what) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) FCNTL.invokeExact(st, fd, cmd, arg);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "fcntl(" + fd + ", " + what + ")");
        }
        return r;
    }

    public static void setNonBlocking(int fd, boolean on) throws ErrnoException {
        int flags = fcntl(fd, F_GETFL, 0, "F_GETFL");
        int want = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (want != flags) {
            fcntl(fd, F_SETFL, want, "F_SETFL");
        }
    }

    public static boolean isNonBlocking(int fd) throws ErrnoException {
        return (fcntl(fd, F_GETFL, 0, "F_GETFL") & O_NONBLOCK) != 0;
    }

    public static void fchmod(int fd, int mode) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) FCHMOD.invokeExact(st, fd, mode);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "fchmod(" + fd + ", 0" + Integer.toOctalString(mode) + ")");
        }
    }

    /** {@code ioctl(fd, request, arg)}: {@code arg} is a pointer's address or an integer value. */
    public static int ioctl(int fd, long request, long arg, String what) throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) IOCTL.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, what);
        }
        return r;
    }

    /** Reads up to {@code length} bytes; -1 when a non-blocking fd has nothing (EAGAIN/EINTR). */
    public static int read(int fd, long buffer, int length) throws ErrnoException {
        long n;
        try {
            n = (long) READ.invokeExact(fd, buffer, (long) length);
            if (n >= 0) {
                return (int) n;
            }
            n = (long) READ_ERRNO.invokeExact(Errno.state(), fd, buffer, (long) length);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return result(n, "read", fd);
    }

    /**
     * {@code read} without learning errno: the byte count, or -1 for any failure. For polled
     * non-blocking fds whose failures are almost all EAGAIN; the caller samples {@link #read}
     * now and then to surface a real error (see {@code MmsgBatch.ERRNO_SAMPLE} for why).
     */
    public static int readNoErrno(int fd, long buffer, int length) {
        try {
            long n = (long) READ.invokeExact(fd, buffer, (long) length);
            return n >= 0 ? (int) n : -1;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Writes {@code length} bytes (for a TUN fd: one packet); -1 on EAGAIN/EINTR. */
    public static int write(int fd, long buffer, int length) throws ErrnoException {
        long n;
        try {
            n = (long) WRITE.invokeExact(fd, buffer, (long) length);
            if (n >= 0) {
                return (int) n;
            }
            n = (long) WRITE_ERRNO.invokeExact(Errno.state(), fd, buffer, (long) length);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return result(n, "write", fd);
    }

    /** {@code readv} with {@code count} iovecs at {@code iov} (see {@link MsgHdr#IOVEC}); -1 on EAGAIN. */
    public static int readv(int fd, long iov, int count) throws ErrnoException {
        long n;
        try {
            n = (long) READV.invokeExact(fd, iov, count);
            if (n >= 0) {
                return (int) n;
            }
            n = (long) READV_ERRNO.invokeExact(Errno.state(), fd, iov, count);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return result(n, "readv", fd);
    }

    /** {@code writev}: gathers a header and a payload into one TUN packet without a copy; -1 on EAGAIN. */
    public static int writev(int fd, long iov, int count) throws ErrnoException {
        long n;
        try {
            n = (long) WRITEV.invokeExact(fd, iov, count);
            if (n >= 0) {
                return (int) n;
            }
            n = (long) WRITEV_ERRNO.invokeExact(Errno.state(), fd, iov, count);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return result(n, "writev", fd);
    }

    /** The outcome of a capturing retry: a count, -1 for "nothing now", or the exception. */
    private static int result(long n, String call, int fd) throws ErrnoException {
        if (n >= 0) {
            return (int) n;
        }
        MemorySegment st = Errno.state();
        if (Errno.isTransient(Errno.get(st))) {
            return -1;
        }
        throw Errno.exception(st, call + "(fd " + fd + ")");
    }
}

package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * errno values (Linux, asm-generic) and the capture of errno across a downcall.
 *
 * <p>Every libc handle in this package is linked with {@code captureCallState("errno")}: its first
 * argument is a small segment the JVM fills with errno right after the call, before anything else
 * on this thread can overwrite it. Control-path wrappers use one segment per thread
 * ({@link #state()}); fast-path objects such as {@link MmsgBatch} own theirs.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    /** Same value as EAGAIN on Linux. */
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EINPROGRESS = 115;

    static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // strerrordesc_np (glibc >= 2.32) is thread-safe and never formats into a shared buffer;
    // plain strerror may, for unknown values. Fall back to it on older glibc.
    private static final MethodHandle STRERROR = Libc.find("strerrordesc_np")
            .or(() -> Libc.find("strerror"))
            .map(sym -> Libc.call(sym, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
            .orElse(null);

    private static final ThreadLocal<MemorySegment> PER_THREAD =
            ThreadLocal.withInitial(Errno::allocateState);

    private Errno() {
    }

    /** A fresh capture-state segment, owned by the garbage collector. */
    public static MemorySegment allocateState() {
        return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /** A capture-state segment allocated in {@code arena}, for objects that own their own. */
    public static MemorySegment allocateState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** This thread's capture-state segment (allocated once per thread). */
    public static MemorySegment state() {
        return PER_THREAD.get();
    }

    /** errno as captured into {@code state} by the last call that used it. */
    public static int get(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** True for the errors a non-blocking call reports when there is simply nothing to do now. */
    public static boolean isTransient(int errno) {
        return errno == EAGAIN || errno == EINTR;
    }

    /** The C library's description of {@code errno} ("Address already in use"). */
    @SuppressWarnings("restricted") // sizing the returned C string, which glibc keeps forever
    public static String describe(int errno) {
        if (STRERROR != null) {
            try {
                MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
                if (!s.equals(MemorySegment.NULL)) {
                    return s.reinterpret(256).getString(0);
                }
            } catch (Throwable t) {
                // fall through to the numeric form
            }
        }
        return "errno " + errno;
    }

    /** An exception for a call that failed with the errno captured in {@code state}. */
    public static ErrnoException exception(MemorySegment state, String call) {
        return new ErrnoException(call, get(state));
    }
}

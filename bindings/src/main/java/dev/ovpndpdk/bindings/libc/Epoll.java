package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code epoll(7)}: an instance the caller adds descriptors to once and waits on many times —
 * how a DPDK worker sleeps on its queues' RX interrupt descriptors. The wait reuses one event
 * array, so waiting allocates nothing.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLET = 1 << 31;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;

    /** {@code struct epoll_event}: packed on x86_64 (12 bytes), so data sits unaligned at 4. */
    public static final StructLayout EPOLL_EVENT = MemoryLayout.structLayout(
            JAVA_INT.withName("events"),
            JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");

    private static final MethodHandle CREATE = Libc.errnoCall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Libc.errnoCall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle WAIT = Libc.errnoCall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    /** {@code epoll_pwait2} (Linux 5.11, glibc 2.35): a timespec timeout, for sleeps under a millisecond. */
    private static final MethodHandle PWAIT2 = Libc.errnoCall("epoll_pwait2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private final int epfd;
    private final int capacity;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment errno;
    /** {@code struct timespec} for {@link #awaitNanos}. */
    private final MemorySegment timespec;

    /** A new epoll instance that reports up to {@code capacity} ready descriptors per wait. */
    public Epoll(int capacity) throws ErrnoException {
        this.capacity = Math.max(1, capacity);
        this.events = arena.allocate(EPOLL_EVENT, this.capacity);
        this.errno = Errno.allocateState(arena);
        this.timespec = arena.allocate(16, 8);
        int fd;
        try {
            fd = (int) CREATE.invokeExact(errno, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (fd < 0) {
            ErrnoException e = Errno.exception(errno, "epoll_create1");
            arena.close();
            throw e;
        }
        this.epfd = fd;
    }

    /** Watches {@code fd} for {@code events} ({@link #EPOLLIN}...), reporting {@code data} when ready. */
    public void add(int fd, int events, long data) throws ErrnoException {
        ctl(EPOLL_CTL_ADD, fd, events, data, "epoll_ctl(ADD)");
    }

    /** Stops watching {@code fd}. */
    public void remove(int fd) throws ErrnoException {
        ctl(EPOLL_CTL_DEL, fd, 0, 0, "epoll_ctl(DEL)");
    }

    private void ctl(int op, int fd, int ev, long data, String what) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(EPOLL_EVENT);
            e.set(JAVA_INT, 0, ev);
            e.set(JAVA_LONG_UNALIGNED, 4, data);
            int r = (int) CTL.invokeExact(errno, epfd, op, fd, e.address());
            if (r < 0) {
                throw Errno.exception(errno, what);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever, 0: just look).
     *
     * @return the ready descriptors (their {@link #data}); 0 on timeout or when a signal interrupted
     */
    public int await(int timeoutMillis) throws ErrnoException {
        int n;
        try {
            n = (int) WAIT.invokeExact(errno, epfd, events.address(), capacity, timeoutMillis);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return ready(n, "epoll_wait");
    }

    /** A wait's result: the ready count, 0 for a signal, an exception for anything else. */
    private int ready(int n, String call) throws ErrnoException {
        if (n < 0) {
            if (Errno.isTransient(Errno.get(errno))) {
                return 0;
            }
            throw Errno.exception(errno, call);
        }
        return n;
    }

    /**
     * Waits up to {@code timeoutNanos} ({@code epoll_pwait2}), for sleeps shorter than
     * {@link #await}'s millisecond.
     *
     * @return the ready descriptors; 0 on timeout or when a signal interrupted
     */
    public int awaitNanos(long timeoutNanos) throws ErrnoException {
        timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        int n;
        try {
            n = (int) PWAIT2.invokeExact(errno, epfd, events.address(), capacity, timespec.address(), 0L);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        return ready(n, "epoll_pwait2");
    }

    /** The {@code data} of ready entry {@code i} of the last {@link #await}. */
    public long data(int i) {
        return events.get(JAVA_LONG_UNALIGNED, java.util.Objects.checkIndex(i, capacity) * EPOLL_EVENT.byteSize() + 4);
    }

    /** The events of ready entry {@code i} of the last {@link #await}. */
    public int events(int i) {
        return events.get(JAVA_INT, java.util.Objects.checkIndex(i, capacity) * EPOLL_EVENT.byteSize());
    }

    @Override
    public void close() {
        Fd.closeQuietly(epfd);
        arena.close();
    }
}

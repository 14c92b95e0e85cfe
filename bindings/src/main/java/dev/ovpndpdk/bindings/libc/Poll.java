package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * {@code poll(2)} over a caller-owned {@code struct pollfd} array: an idle worker waits on its
 * UDP socket and TUN queue at once, with a timeout, instead of spinning. Allocate one per worker
 * ({@code new Poll(2)}), {@link #set} the fds once, call {@link #await} per idle period.
 */
public final class Poll implements AutoCloseable {

    public static final short POLLIN = 0x1;
    public static final short POLLPRI = 0x2;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    static final long FD = POLLFD.byteOffset(groupElement("fd"));
    static final long EVENTS = POLLFD.byteOffset(groupElement("events"));
    static final long REVENTS = POLLFD.byteOffset(groupElement("revents"));

    private static final MethodHandle POLL = Libc.errnoCall("poll",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));

    private final int capacity;
    private final Arena arena;
    private final MemorySegment fds;
    private final MemorySegment errno;

    public Poll(int capacity) {
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        this.fds = arena.allocate(POLLFD, capacity);
        this.errno = Errno.allocateState(arena);
        for (int i = 0; i < capacity; i++) {
            set(i, -1, (short) 0); // poll ignores negative fds
        }
    }

    /** Watches {@code fd} for {@code events} in entry {@code index}; fd -1 disables the entry. */
    public void set(int index, int fd, short events) {
        long at = Objects.checkIndex(index, capacity) * POLLFD.byteSize();
        fds.set(JAVA_INT, at + FD, fd);
        fds.set(JAVA_SHORT, at + EVENTS, events);
        fds.set(JAVA_SHORT, at + REVENTS, (short) 0);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever, 0: just look) for any entry to be ready.
     *
     * @return the number of ready entries; 0 on timeout or when a signal interrupted the wait
     */
    public int await(int timeoutMillis) throws ErrnoException {
        int n;
        try {
            n = (int) POLL.invokeExact(errno, fds.address(), (long) capacity, timeoutMillis);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (n < 0) {
            if (Errno.isTransient(Errno.get(errno))) {
                return 0;
            }
            throw Errno.exception(errno, "poll");
        }
        return n;
    }

    /** What happened on entry {@code index} in the last {@link #await}. */
    public short revents(int index) {
        return fds.get(JAVA_SHORT, Objects.checkIndex(index, capacity) * POLLFD.byteSize() + REVENTS);
    }

    public boolean readable(int index) {
        return (revents(index) & POLLIN) != 0;
    }

    /** One-shot wait on one fd (allocates; control path and tests). True if any of {@code events}. */
    public static boolean waitFor(int fd, short events, int timeoutMillis) throws ErrnoException {
        try (Poll p = new Poll(1)) {
            p.set(0, fd, events);
            return p.await(timeoutMillis) > 0 && (p.revents(0) & (events | POLLERR | POLLHUP)) != 0;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}

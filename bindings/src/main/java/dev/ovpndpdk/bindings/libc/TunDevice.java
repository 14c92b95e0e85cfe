package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A multiqueue TUN device from {@code /dev/net/tun}: one non-blocking fd per queue, each opened
 * with {@code TUNSETIFF(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)} on the same name, so every worker
 * reads and writes its own queue (the kernel picks the queue of an outgoing packet by flow hash).
 * Packets are bare IP (no packet-information header). The device is not persistent: closing the
 * last fd removes it.
 *
 * <p>Per-packet I/O is {@link Fd#read}/{@link Fd#write} (or readv/writev) on {@link #fd(int)}.
 */
public final class TunDevice implements AutoCloseable {

    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETPERSIST = 0x400454cbL;
    public static final long TUNGETIFF = 0x800454d2L;
    public static final long TUNSETQUEUE = 0x400454d9L;

    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_ATTACH_QUEUE = 0x0200;
    public static final int IFF_DETACH_QUEUE = 0x0400;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;

    public static final String CLONE_DEVICE = "/dev/net/tun";

    private final String name;
    private final int[] fds;
    private boolean closed;

    private TunDevice(String name, int[] fds) {
        this.name = name;
        this.fds = fds;
    }

    /**
     * Creates (or attaches to) TUN device {@code name} with {@code queues} queues. A name with
     * {@code %d} ("ovpn%d") lets the kernel number it; {@link #name()} says what it chose.
     * Needs CAP_NET_ADMIN.
     */
    public static TunDevice open(String name, int queues) throws ErrnoException {
        if (queues < 1) {
            throw new IllegalArgumentException("queues: " + queues);
        }
        int[] fds = new int[queues];
        Arrays.fill(fds, -1);
        String actual = name;
        boolean done = false;
        try {
            for (int q = 0; q < queues; q++) {
                fds[q] = Fd.open(CLONE_DEVICE, Fd.O_RDWR | Fd.O_NONBLOCK | Fd.O_CLOEXEC);
                actual = attach(fds[q], actual, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE);
            }
            // A device left persistent by an earlier run would otherwise outlive us.
            Fd.ioctl(fds[0], TUNSETPERSIST, 0L, "TUNSETPERSIST(" + actual + ", off)");
            done = true;
            return new TunDevice(actual, fds);
        } finally {
            if (!done) {
                for (int fd : fds) {
                    Fd.closeQuietly(fd);
                }
            }
        }
    }

    /** TUNSETIFF on an open clone fd; returns the interface name the kernel settled on. */
    static String attach(int fd, String name, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name);
            ifr.set(JAVA_SHORT, Ifreq.IFR_FLAGS, (short) flags);
            Fd.ioctl(fd, TUNSETIFF, ifr.address(), "TUNSETIFF(" + name + ")");
            return Ifreq.name(ifr);
        }
    }

    public String name() {
        return name;
    }

    public int queues() {
        return fds.length;
    }

    /** The non-blocking fd of queue {@code queue}. */
    public int fd(int queue) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        return fds[queue];
    }

    /** Keeps the device after close (TUNSETPERSIST); off by default. */
    public void setPersistent(boolean persistent) throws ErrnoException {
        Fd.ioctl(fd(0), TUNSETPERSIST, persistent ? 1L : 0L, "TUNSETPERSIST(" + name + ")");
    }

    /** The flags of queue {@code queue} as the kernel reports them (TUNGETIFF). */
    public int flags(int queue) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(Ifreq.IFREQ);
            Fd.ioctl(fd(queue), TUNGETIFF, ifr.address(), "TUNGETIFF(" + name + ")");
            return ifr.get(JAVA_SHORT, Ifreq.IFR_FLAGS) & 0xffff;
        }
    }

    /** Closes every queue; a non-persistent device disappears with its last fd. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (int fd : fds) {
                Fd.closeQuietly(fd);
            }
        }
    }
}

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
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;

    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_ATTACH_QUEUE = 0x0200;
    public static final int IFF_DETACH_QUEUE = 0x0400;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;

    /** TUNSETOFFLOAD bits: what the kernel may hand us unfinished (linux/if_tun.h). */
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;

    /** struct virtio_net_hdr without num_buffers: the kernel's default vnet header size. */
    public static final int VNET_HDR_SIZE = 10;

    public static final String CLONE_DEVICE = "/dev/net/tun";

    private final String name;
    private final int[] fds;
    private final boolean vnetHdr;
    private boolean closed;

    private TunDevice(String name, int[] fds, boolean vnetHdr) {
        this.name = name;
        this.fds = fds;
        this.vnetHdr = vnetHdr;
    }

    /**
     * Creates (or attaches to) TUN device {@code name} with {@code queues} queues. A name with
     * {@code %d} ("ovpn%d") lets the kernel number it; {@link #name()} says what it chose.
     * Needs CAP_NET_ADMIN.
     */
    public static TunDevice open(String name, int queues) throws ErrnoException {
        return open(name, queues, false);
    }

    /**
     * As {@link #open(String, int)}; with {@code vnetHdr} every queue also gets
     * {@code IFF_VNET_HDR}: each read and each write starts with a {@value #VNET_HDR_SIZE}-byte
     * {@code struct virtio_net_hdr} (checksum and segmentation offload state, little-endian on
     * this host). What the kernel may leave unfinished is then set with {@link #setOffload}.
     */
    public static TunDevice open(String name, int queues, boolean vnetHdr) throws ErrnoException {
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
                actual = attach(fds[q], actual, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (vnetHdr ? IFF_VNET_HDR : 0));
            }
            // A device left persistent by an earlier run would otherwise outlive us.
            Fd.ioctl(fds[0], TUNSETPERSIST, 0L, "TUNSETPERSIST(" + actual + ", off)");
            done = true;
            return new TunDevice(actual, fds, vnetHdr);
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

    /** Whether reads and writes carry a virtio_net_hdr. */
    public boolean vnetHdr() {
        return vnetHdr;
    }

    /**
     * TUNSETOFFLOAD: lets the kernel hand us packets with partial checksums ({@link #TUN_F_CSUM})
     * and TCP/UDP super-packets ({@link #TUN_F_TSO4} ...), which the reader then finishes or
     * segments itself. The flags belong to the device; EINVAL means this kernel does not know
     * one of them (USO came in 6.2), so callers probe from the most to the least.
     */
    public void setOffload(int flags) throws ErrnoException {
        if (!vnetHdr && flags != 0) {
            throw new IllegalStateException("offloads need IFF_VNET_HDR");
        }
        Fd.ioctl(fd(0), TUNSETOFFLOAD, flags, "TUNSETOFFLOAD(" + name + ", 0x" + Integer.toHexString(flags) + ")");
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

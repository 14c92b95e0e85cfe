package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Interface settings through the classic {@code SIOC*IF*} ioctls on a throw-away datagram socket
 * (net/core/dev_ioctl.c): MTU, flags (IFF_UP), index. Netlink can do more, but these are all the
 * TUN side needs and they keep the backend free of a netlink codec.
 */
public final class NetDevice {

    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCSIFMTU = 0x8922;
    public static final long SIOCGIFINDEX = 0x8933;

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_MULTICAST = 0x1000;

    private NetDevice() {
    }

    public static int mtu(String name) throws ErrnoException {
        return getInt(name, SIOCGIFMTU, "SIOCGIFMTU");
    }

    /** Needs CAP_NET_ADMIN. */
    public static void setMtu(String name, int mtu) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name);
            ifr.set(JAVA_INT, Ifreq.IFR_MTU, mtu);
            ioctl(ifr, SIOCSIFMTU, "SIOCSIFMTU(" + name + ", " + mtu + ")");
        }
    }

    public static int index(String name) throws ErrnoException {
        return getInt(name, SIOCGIFINDEX, "SIOCGIFINDEX");
    }

    /**
     * One of the interface's kernel counters, {@code /sys/class/net/NAME/statistics/COUNTER}
     * (e.g. {@code tx_dropped}); -1 where it cannot be read. Sysfs shows the network namespace it
     * was mounted in, which need not be ours ({@code nsenter --net} keeps the old mount): the
     * counter is taken only when sysfs's ifindex for NAME is this namespace's.
     */
    public static long statistic(String name, String counter) {
        if (name.contains("/") || name.startsWith(".") || counter.contains("/")) {
            return -1;
        }
        Path dir = Path.of("/sys/class/net", name);
        try {
            if (Integer.parseInt(Files.readString(dir.resolve("ifindex")).trim()) != index(name)) {
                return -1;
            }
            return Long.parseLong(Files.readString(dir.resolve("statistics").resolve(counter)).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The interface flags (IFF_*), as an unsigned 16-bit value. */
    public static int flags(String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name);
            ioctl(ifr, SIOCGIFFLAGS, "SIOCGIFFLAGS(" + name + ")");
            return ifr.get(JAVA_SHORT, Ifreq.IFR_FLAGS) & 0xffff;
        }
    }

    /** Sets or clears IFF_UP, keeping the other flags (read-modify-write; needs CAP_NET_ADMIN). */
    public static void setUp(String name, boolean up) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name);
            ioctl(ifr, SIOCGIFFLAGS, "SIOCGIFFLAGS(" + name + ")");
            short flags = ifr.get(JAVA_SHORT, Ifreq.IFR_FLAGS);
            short want = (short) (up ? flags | IFF_UP : flags & ~IFF_UP);
            if (want != flags) {
                ifr.set(JAVA_SHORT, Ifreq.IFR_FLAGS, want);
                ioctl(ifr, SIOCSIFFLAGS, "SIOCSIFFLAGS(" + name + (up ? ", up)" : ", down)"));
            }
        }
    }

    private static int getInt(String name, long request, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name);
            ioctl(ifr, request, what + "(" + name + ")");
            return ifr.get(JAVA_INT, Ifreq.IFR_MTU);
        }
    }

    private static void ioctl(MemorySegment ifr, long request, String what) throws ErrnoException {
        // Any socket will do for these ioctls; AF_INET exists in every namespace.
        int s = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
        try {
            Fd.ioctl(s, request, ifr.address(), what);
        } finally {
            Fd.closeQuietly(s);
        }
    }
}

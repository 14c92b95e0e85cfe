package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_in} / {@code sockaddr_in6} and conversions to and from
 * {@link InetSocketAddress}. Encoding writes into a caller-owned segment at an offset, so a worker
 * can keep peers' remote addresses in native memory and point {@code msg_name} at them; the
 * primitive accessors ({@link #port}, {@link #ipv4}) read a received source without allocating.
 *
 * <p>Ports and IPv4 addresses are in network byte order in memory; the accessors take and return
 * host-order values (port 1194 is 1194, 10.0.0.1 is 0x0A000001).
 */
public final class SockAddr {

    /** {@code sa_family_t}, host order; the first field of every sockaddr. */
    static final ValueLayout.OfShort FAMILY = JAVA_SHORT;
    static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            FAMILY.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            NET_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            FAMILY.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            NET_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    /** {@code struct sockaddr_storage}: big enough and aligned enough for any address family. */
    public static final StructLayout SOCKADDR_STORAGE = MemoryLayout.structLayout(
            FAMILY.withName("ss_family"),
            MemoryLayout.sequenceLayout(118, JAVA_BYTE).withName("__ss_padding"),
            ValueLayout.JAVA_LONG.withName("__ss_align")).withName("sockaddr_storage");

    public static final long SIN_FAMILY = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_family"));
    public static final long SIN_PORT = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_port"));
    public static final long SIN_ADDR = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_addr"));
    public static final long SIN6_PORT = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_port"));
    public static final long SIN6_FLOWINFO = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_flowinfo"));
    public static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_addr"));
    public static final long SIN6_SCOPE_ID = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_scope_id"));

    /** Size of the space that holds either family; what UDP slots reserve (28 rounded to 32). */
    public static final int INET_SLOT_SIZE = 32;

    private SockAddr() {
    }

    /**
     * Writes {@code address} as sockaddr_in or sockaddr_in6 (by its family) at {@code offset} and
     * returns the length to pass as socklen_t (16 or 28). Unresolved addresses are refused.
     */
    public static int encode(InetSocketAddress address, MemorySegment dst, long offset) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        if (ip instanceof Inet4Address) {
            byte[] a = ip.getAddress();
            int v4 = (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
            return encodeIpv4(v4, address.getPort(), dst, offset);
        }
        Inet6Address v6 = (Inet6Address) ip;
        dst.asSlice(offset, SOCKADDR_IN6.byteSize()).fill((byte) 0);
        dst.set(FAMILY, offset, (short) Sockets.AF_INET6);
        dst.set(NET_SHORT, offset + SIN6_PORT, (short) address.getPort());
        MemorySegment.copy(v6.getAddress(), 0, dst, JAVA_BYTE, offset + SIN6_ADDR, 16);
        dst.set(JAVA_INT, offset + SIN6_SCOPE_ID, v6.getScopeId());
        return (int) SOCKADDR_IN6.byteSize();
    }

    /** Writes a sockaddr_in from host-order values without allocating; returns 16. */
    public static int encodeIpv4(int address, int port, MemorySegment dst, long offset) {
        dst.set(FAMILY, offset + SIN_FAMILY, (short) Sockets.AF_INET);
        dst.set(NET_SHORT, offset + SIN_PORT, (short) port);
        dst.set(NET_INT, offset + SIN_ADDR, address);
        dst.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8, 0L);
        return (int) SOCKADDR_IN.byteSize();
    }

    /** Allocates a segment in {@code arena} holding {@code address}, sized to the family. */
    public static MemorySegment allocate(Arena arena, InetSocketAddress address) {
        MemorySegment seg = arena.allocate(SOCKADDR_IN6);
        int len = encode(address, seg, 0);
        return seg.asSlice(0, len);
    }

    /** Reads an AF_INET or AF_INET6 address; allocates (control path, slow path). */
    public static InetSocketAddress decode(MemorySegment src, long offset) {
        int family = family(src, offset);
        try {
            if (family == Sockets.AF_INET) {
                byte[] a = new byte[4];
                MemorySegment.copy(src, JAVA_BYTE, offset + SIN_ADDR, a, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(a), port(src, offset));
            }
            if (family == Sockets.AF_INET6) {
                byte[] a = new byte[16];
                MemorySegment.copy(src, JAVA_BYTE, offset + SIN6_ADDR, a, 0, 16);
                int scope = src.get(JAVA_INT, offset + SIN6_SCOPE_ID);
                // getByAddress(host, addr, scope) keeps the scope for link-local; a plain
                // getByAddress would drop it and the reply would go out the wrong interface.
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope) : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, port(src, offset));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for wrong lengths, which cannot happen here
        }
        throw new IllegalArgumentException("not an inet sockaddr, family " + family);
    }

    /** {@code sa_family} at {@code offset}. */
    public static int family(MemorySegment src, long offset) {
        return src.get(FAMILY, offset) & 0xffff;
    }

    /** Port (host order) of a sockaddr_in or sockaddr_in6: both keep it at offset 2. */
    public static int port(MemorySegment src, long offset) {
        return src.get(NET_SHORT, offset + SIN_PORT) & 0xffff;
    }

    /** IPv4 address (host order) of a sockaddr_in. */
    public static int ipv4(MemorySegment src, long offset) {
        return src.get(NET_INT, offset + SIN_ADDR);
    }

    /** Bytes 0..7 of an IPv6 address as a big-endian long. */
    public static long ipv6High(MemorySegment src, long offset) {
        return src.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + SIN6_ADDR);
    }

    /** Bytes 8..15 of an IPv6 address as a big-endian long. */
    public static long ipv6Low(MemorySegment src, long offset) {
        return src.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + SIN6_ADDR + 8);
    }

    /** Length in bytes of the sockaddr at {@code offset}, by its family (16, 28), or 0. */
    public static int length(MemorySegment src, long offset) {
        return switch (family(src, offset)) {
            case Sockets.AF_INET -> (int) SOCKADDR_IN.byteSize();
            case Sockets.AF_INET6 -> (int) SOCKADDR_IN6.byteSize();
            default -> 0;
        };
    }

    /**
     * True when two inet sockaddrs denote the same endpoint (family, port, address; IPv6 flow
     * info ignored). Allocation-free: for comparing a datagram's source with a peer's remote.
     */
    public static boolean sameEndpoint(MemorySegment a, long aOff, MemorySegment b, long bOff) {
        int family = family(a, aOff);
        if (family != family(b, bOff) || port(a, aOff) != port(b, bOff)) {
            return false;
        }
        if (family == Sockets.AF_INET) {
            return ipv4(a, aOff) == ipv4(b, bOff);
        }
        return family == Sockets.AF_INET6
                && ipv6High(a, aOff) == ipv6High(b, bOff)
                && ipv6Low(a, aOff) == ipv6Low(b, bOff)
                && a.get(JAVA_INT, aOff + SIN6_SCOPE_ID) == b.get(JAVA_INT, bOff + SIN6_SCOPE_ID);
    }

    /** For error messages: "10.0.0.1:1194", "[fe80::1%2]:1194". */
    static String toString(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}

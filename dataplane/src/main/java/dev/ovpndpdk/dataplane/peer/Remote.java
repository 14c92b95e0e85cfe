package dev.ovpndpdk.dataplane.peer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A peer's transport address in the form the fast path compares without allocating: the
 * IPv4 address as an int, or the IPv6 address as two longs, and the port. Immutable; a float
 * replaces the whole object (one allocation per float, none per packet).
 */
public record Remote(boolean ipv6, long hi, long lo, int port, int scopeId) {
    private static final byte IPPROTO_UDP = 17;
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static Remote ipv4(int address, int port) {
        return new Remote(false, 0, address & 0xFFFFFFFFL, port, 0);
    }

    public static Remote ipv6(long hi, long lo, int port, int scopeId) {
        return new Remote(true, hi, lo, port, scopeId);
    }

    public static Remote of(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + a);
        }
        byte[] b = ip.getAddress();
        if (ip instanceof Inet4Address) {
            return ipv4(toInt(b, 0), a.getPort());
        }
        // v4-mapped IPv6 is IPv4 (as Linux converts it, spec §5.1).
        if (isV4Mapped(b)) {
            return ipv4(toInt(b, 12), a.getPort());
        }
        return ipv6(toLong(b, 0), toLong(b, 8), a.getPort(),
                ((Inet6Address) ip).getScopeId());
    }

    public boolean matches(boolean v6, long h, long l, int p) {
        return ipv6 == v6 && lo == l && hi == h && port == p;
    }

    /**
     * Whether the IP packet at {@code off} (its version already known to be 4 with at least 20
     * bytes, or 6 with at least 40) is a UDP datagram to this address and port — a packet from
     * the tunnel that is really a peer's outer datagram, routed back in (spec §4.9, routing-loop
     * protection). IPv6 with extension headers before UDP never matches.
     */
    public boolean isUdpDestinationOf(MemorySegment ip, long off, int len) {
        int first = ip.get(ValueLayout.JAVA_BYTE, off);
        if ((first & 0xF0) == 0x40) {
            int udp = (first & 0x0F) * 4;
            return !ipv6 && ip.get(ValueLayout.JAVA_BYTE, off + 9) == IPPROTO_UDP && len >= udp + 4
                    && (ip.get(BE_INT, off + 16) & 0xFFFFFFFFL) == lo
                    && (ip.get(BE_SHORT, off + udp + 2) & 0xFFFF) == port;
        }
        return ipv6 && ip.get(ValueLayout.JAVA_BYTE, off + 6) == IPPROTO_UDP && len >= 44
                && ip.get(BE_LONG, off + 24) == hi && ip.get(BE_LONG, off + 32) == lo
                && (ip.get(BE_SHORT, off + 42) & 0xFFFF) == port;
    }

    public InetSocketAddress toSocketAddress() {
        try {
            byte[] b;
            if (ipv6) {
                b = new byte[16];
                putLong(b, 0, hi);
                putLong(b, 8, lo);
                return new InetSocketAddress(scopeId != 0 ? Inet6Address.getByAddress(null, b, scopeId)
                        : InetAddress.getByAddress(b), port);
            }
            b = new byte[4];
            int v = (int) lo;
            b[0] = (byte) (v >>> 24);
            b[1] = (byte) (v >>> 16);
            b[2] = (byte) (v >>> 8);
            b[3] = (byte) v;
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        InetSocketAddress a = toSocketAddress();
        String host = IpText.of(a.getAddress());
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    static boolean isV4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    static int toInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}

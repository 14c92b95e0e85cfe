package dev.ovpndpdk.dataplane.port.offload;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over packet memory: a one's-complement sum of 16-bit
 * big-endian words. Sums are kept unfolded in a {@code long} so ranges and pseudo-headers add
 * up with plain {@code +}; 64-bit reads are split in two 32-bit halves, which RFC 1071 §2(B)
 * allows (the sum is independent of the word size), and cannot overflow for any IP packet.
 */
public final class InetChecksum {
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    private InetChecksum() {
    }

    /** Adds {@code len} bytes at {@code off} to {@code acc}; an odd last byte is padded with zero. */
    public static long sum(MemorySegment m, long off, int len, long acc) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = m.get(BE_LONG, off + i);
            acc += (v >>> 32) + (v & 0xFFFFFFFFL);
        }
        if (i + 4 <= len) {
            acc += m.get(BE_INT, off + i) & 0xFFFFFFFFL;
            i += 4;
        }
        if (i + 2 <= len) {
            acc += m.get(BE_SHORT, off + i) & 0xFFFF;
            i += 2;
        }
        if (i < len) {
            acc += (m.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8;
        }
        return acc;
    }

    /** Folds a sum to 16 bits (not inverted). */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The value for a checksum field: the folded sum, inverted. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xFFFF;
    }

    /**
     * The TCP/UDP pseudo-header of the IP packet at {@code ip} (RFC 793 §3.1, RFC 8200 §8.1):
     * source and destination address, protocol, and the upper-layer length {@code l4Len}.
     */
    public static long pseudoHeader(MemorySegment m, long ip, boolean v6, int proto, int l4Len) {
        long acc = v6 ? sum(m, ip + 8, 32, 0) : sum(m, ip + 12, 8, 0);
        return acc + proto + l4Len;
    }

    /** Recomputes the IPv4 header checksum of the header at {@code ip} ({@code ihl} bytes). */
    public static void setIpv4HeaderChecksum(MemorySegment m, long ip, int ihl) {
        m.set(BE_SHORT, ip + 10, (short) 0);
        m.set(BE_SHORT, ip + 10, (short) finish(sum(m, ip, ihl, 0)));
    }
}

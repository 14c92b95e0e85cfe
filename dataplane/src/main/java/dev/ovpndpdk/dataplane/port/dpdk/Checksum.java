package dev.ovpndpdk.dataplane.port.dpdk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over packet memory, eight bytes per step: the one's
 * complement sum is the same whatever the word size, so 32-bit halves of big-endian longs are
 * added into a 64-bit accumulator and folded at the end.
 */
final class Checksum {
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Checksum() {
    }

    /** Adds {@code len} bytes at {@code off} to a running (unfolded) sum. {@code len} may be odd. */
    static long add(long sum, MemorySegment m, long off, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = m.get(BE_LONG, off + i);
            sum += (v >>> 32) + (v & 0xFFFFFFFFL);
        }
        for (; i + 2 <= len; i += 2) {
            sum += m.get(BE_SHORT, off + i) & 0xFFFF;
        }
        if (i < len) {
            sum += (m.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Adds a 64-bit value as four 16-bit words. */
    static long add(long sum, long v) {
        return sum + (v >>> 32) + (v & 0xFFFFFFFFL);
    }

    /** Folds a running sum to 16 bits and complements it: the value to put in the header. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}

package dev.ovpndpdk.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What an authentic plaintext is (spec §1.5, §6 item 8): the keepalive ping, OCC
 * explicit-exit-notify, an IPv4/IPv6 packet for the tunnel, or anything else (dropped).
 */
public final class Plaintext {
    private Plaintext() {
    }

    private static final long PING_HI = MemorySegment.ofArray(Wire.PING).get(Wire.BE_LONG, 0);
    private static final long PING_LO = MemorySegment.ofArray(Wire.PING).get(Wire.BE_LONG, 8);
    private static final long OCC_HI = MemorySegment.ofArray(Wire.OCC_MAGIC).get(Wire.BE_LONG, 0);
    private static final long OCC_LO = MemorySegment.ofArray(Wire.OCC_MAGIC).get(Wire.BE_LONG, 8);
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;

    /**
     * Classifies {@code len} plaintext bytes at {@code off}.
     *
     * @return {@link Verdict#OK} (IPv4/IPv6 with at least a whole fixed header),
     *         {@link Verdict#PING}, {@link Verdict#OCC_EXIT} or {@link Verdict#NOT_IP}
     */
    public static Verdict classify(MemorySegment buf, long off, int len) {
        if (len >= 1) {
            int version = (buf.get(ValueLayout.JAVA_BYTE, off) & 0xF0) >>> 4;
            if (version == 4 && len >= IPV4_MIN_HEADER) {
                return Verdict.OK;
            }
            if (version == 6 && len >= IPV6_HEADER) {
                return Verdict.OK;
            }
        }
        // Exact length matters: OpenVPN and Linux match the whole ping, nothing more (spec §1.5).
        if (len == Wire.PING.length && matches(buf, off, PING_HI, PING_LO)) {
            return Verdict.PING;
        }
        if (len == Wire.OCC_MAGIC.length + 1 && matches(buf, off, OCC_HI, OCC_LO)
                && buf.get(ValueLayout.JAVA_BYTE, off + 16) == Wire.OCC_EXIT) {
            return Verdict.OCC_EXIT;
        }
        return Verdict.NOT_IP;
    }

    private static boolean matches(MemorySegment buf, long off, long hi, long lo) {
        return buf.get(Wire.BE_LONG, off) == hi && buf.get(Wire.BE_LONG, off + 8) == lo;
    }
}

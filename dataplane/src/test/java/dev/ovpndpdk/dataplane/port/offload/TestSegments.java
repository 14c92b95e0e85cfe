package dev.ovpndpdk.dataplane.port.offload;

import java.nio.ByteBuffer;

/**
 * Builds TCP/UDP packets over IPv4/IPv6 on the heap and checks them with a checksum written
 * here byte by byte, independent of {@link InetChecksum}.
 */
final class TestSegments {
    static final byte[] SRC4 = {10, 0, 0, 1};
    static final byte[] DST4 = {10, 0, 0, 2};
    static final byte[] SRC6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static final byte[] DST6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int CWR = 0x80;

    private TestSegments() {
    }

    /** Payload byte {@code i} of a stream: distinct enough that a misplaced byte shows. */
    static byte streamByte(long i) {
        return (byte) (i * 31 + (i >>> 8) * 7 + 3);
    }

    /**
     * A TCP packet with {@code payload} stream bytes starting at sequence {@code seq}, a
     * 12-byte timestamp option (NOP NOP TS) when {@code tsVal} is not 0, and a valid checksum.
     */
    static byte[] tcp(boolean v6, int ipId, int seq, int flags, int payload, int tsVal) {
        int opt = tsVal != 0 ? 12 : 0;
        int ipLen = v6 ? 40 : 20;
        int total = ipLen + 20 + opt + payload;
        ByteBuffer b = ByteBuffer.allocate(total);
        ipHeader(b, v6, ipId, 6, total);
        b.putShort((short) 40000).putShort((short) 5201).putInt(seq).putInt(0x01020304)
                .put((byte) (((20 + opt) / 4) << 4)).put((byte) flags).putShort((short) 512)
                .putShort((short) 0).putShort((short) 0);
        if (opt != 0) {
            b.put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(tsVal).putInt(77);
        }
        for (int i = 0; i < payload; i++) {
            b.put(streamByte((seq & 0xFFFFFFFFL) + i));
        }
        byte[] p = b.array();
        fixChecksums(p);
        return p;
    }

    static byte[] udp(boolean v6, int ipId, int payload, int first) {
        int ipLen = v6 ? 40 : 20;
        int total = ipLen + 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(total);
        ipHeader(b, v6, ipId, 17, total);
        b.putShort((short) 40000).putShort((short) 5201).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put(streamByte(first + i));
        }
        byte[] p = b.array();
        fixChecksums(p);
        return p;
    }

    private static void ipHeader(ByteBuffer b, boolean v6, int ipId, int proto, int total) {
        if (v6) {
            b.putInt(0x60000000).putShort((short) (total - 40)).put((byte) proto).put((byte) 64).put(SRC6).put(DST6);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) ipId).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) proto).putShort((short) 0).put(SRC4).put(DST4);
        }
    }

    static boolean v6(byte[] p) {
        return (p[0] & 0xF0) == 0x60;
    }

    static int l4(byte[] p) {
        return v6(p) ? 40 : (p[0] & 0x0F) * 4;
    }

    static int proto(byte[] p) {
        return v6(p) ? p[6] & 0xFF : p[9] & 0xFF;
    }

    static int u16(byte[] p, int o) {
        return ((p[o] & 0xFF) << 8) | (p[o + 1] & 0xFF);
    }

    static int u32(byte[] p, int o) {
        return (u16(p, o) << 16) | u16(p, o + 2);
    }

    static void put16(byte[] p, int o, int v) {
        p[o] = (byte) (v >>> 8);
        p[o + 1] = (byte) v;
    }

    /** RFC 1071 the slow way: 16-bit words, end-around carry after every addition. */
    static int onesSum(byte[] p, int from, int len, int acc) {
        for (int i = 0; i < len; i += 2) {
            int w = (p[from + i] & 0xFF) << 8;
            if (i + 1 < len) {
                w |= p[from + i + 1] & 0xFF;
            }
            acc += w;
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return acc;
    }

    static int pseudo(byte[] p) {
        int l4Len = p.length - l4(p);
        int acc = v6(p) ? onesSum(p, 8, 32, 0) : onesSum(p, 12, 8, 0);
        acc = onesSum(new byte[] {0, (byte) proto(p)}, 0, 2, acc);
        return onesSum(new byte[] {(byte) (l4Len >>> 24), (byte) (l4Len >>> 16), (byte) (l4Len >>> 8), (byte) l4Len}, 0, 4, acc);
    }

    /** Sets the IPv4 header and TCP/UDP checksums. */
    static void fixChecksums(byte[] p) {
        int l4 = l4(p);
        if (!v6(p)) {
            put16(p, 10, 0);
            put16(p, 10, ~onesSum(p, 0, l4, 0) & 0xFFFF);
        }
        int field = l4 + (proto(p) == 6 ? 16 : 6);
        put16(p, field, 0);
        int c = ~onesSum(p, l4, p.length - l4, pseudo(p)) & 0xFFFF;
        put16(p, field, c == 0 && proto(p) == 17 ? 0xFFFF : c);
    }

    static boolean ipv4HeaderValid(byte[] p) {
        return onesSum(p, 0, l4(p), 0) == 0xFFFF;
    }

    static boolean l4ChecksumValid(byte[] p) {
        return onesSum(p, l4(p), p.length - l4(p), pseudo(p)) == 0xFFFF;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] x : parts) {
            n += x.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] x : parts) {
            System.arraycopy(x, 0, out, o, x.length);
            o += x.length;
        }
        return out;
    }
}

package dev.ovpndpdk.control.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds small synthetic captures byte by byte, so each link type is tested without tools. */
public final class TestPcaps {
    private TestPcaps() {
    }

    public static final byte[] V4_CLIENT = {10, 99, 0, 2};
    public static final byte[] V4_SERVER = {10, 99, 0, 1};

    /** A whole pcap file: frame i is stamped {@code 1700000000 + i} s and {@code i * 1000 + 7} µs/ns. */
    public static byte[] pcap(int linkType, ByteOrder order, boolean nanos, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(65535).putInt(linkType);
        out.writeBytes(h.array());
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt(1_700_000_000 + i).putInt(i * 1000 + 7).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    public static byte[] ipv4Udp(byte[] src, int sport, byte[] dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity())
                .putShort((short) 1).putShort((short) 0x4000)     // id, DF
                .put((byte) 64).put((byte) 17).putShort((short) 0) // ttl, UDP, checksum (unchecked)
                .put(src).put(dst);
        udp(b, sport, dport, payload);
        return b.array();
    }

    /** IPv6/UDP with the given extension headers (each already 8-byte aligned, first byte = next header). */
    public static byte[] ipv6Udp(byte[] src, int sport, byte[] dst, int dport, byte[] payload,
                                 int firstNext, byte[]... extensions) {
        int extLen = 0;
        for (byte[] e : extensions) {
            extLen += e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(40 + extLen + 8 + payload.length);
        b.putInt(0x60000000).putShort((short) (extLen + 8 + payload.length))
                .put((byte) (extensions.length == 0 ? 17 : firstNext)).put((byte) 64).put(src).put(dst);
        for (byte[] e : extensions) {
            b.put(e);
        }
        udp(b, sport, dport, payload);
        return b.array();
    }

    private static void udp(ByteBuffer b, int sport, int dport, byte[] payload) {
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
    }

    /** Ethernet II with the given VLAN tags (TPID, TCI pairs), outermost first. */
    public static byte[] ethernet(int[][] tags, int ethertype, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * tags.length + ip.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        for (int[] t : tags) {
            b.putShort((short) t[0]).putShort((short) t[1]);
        }
        b.putShort((short) ethertype).put(ip);
        return b.array();
    }

    /** Linux cooked header v1 (16 bytes, protocol last). */
    public static byte[] sll(int ethertype, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) 0).putShort((short) 1).putShort((short) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) ethertype).put(ip);
        return b.array();
    }

    /** Linux cooked header v2 (20 bytes, protocol first). */
    public static byte[] sll2(int ethertype, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(20 + ip.length);
        b.putShort((short) ethertype).putShort((short) 0).putInt(3)
                .putShort((short) 1).put((byte) 0).put((byte) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).put(ip);
        return b.array();
    }

    /** BSD loopback: the address family as a 4-byte integer in {@code order}. */
    public static byte[] loopback(int family, ByteOrder order, byte[] ip) {
        return ByteBuffer.allocate(4 + ip.length).order(order).putInt(family).put(ip).array();
    }

    public static byte[] v6(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[15] = (byte) last;
        return a;
    }
}

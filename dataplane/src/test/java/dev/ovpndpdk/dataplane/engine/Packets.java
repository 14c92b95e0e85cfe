package dev.ovpndpdk.dataplane.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Minimal IPv4/IPv6 packets for engine tests: a header with addresses and a payload. */
final class Packets {
    private Packets() {
    }

    static byte[] ipv4(String src, String dst, int payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload)).putInt(0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(addr(src)).put(addr(dst));
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] ipv6(String src, String dst, int payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload);
        b.putInt(0x60000000).putShort((short) payload).put((byte) 17).put((byte) 64)
                .put(addr(src)).put(addr(dst));
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] addr(String s) {
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s);
        }
    }
}

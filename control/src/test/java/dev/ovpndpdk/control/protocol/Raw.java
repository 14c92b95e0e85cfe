package dev.ovpndpdk.control.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Hand-made datagrams, well-formed or not, for the decoder tests. */
final class Raw {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Raw payload() {
        return new Raw();
    }

    /** A field with a correct value length. */
    Raw field(int type, String name, byte[] value) {
        return field(type, name.getBytes(StandardCharsets.ISO_8859_1), value.length, value);
    }

    /** A field whose name and declared value length are whatever the test says. */
    Raw field(int type, byte[] name, long declaredLength, byte[] value) {
        out.write(type);
        out.write(name.length);
        out.writeBytes(name);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) declaredLength).array());
        out.writeBytes(value);
        return this;
    }

    Raw u64(String name, long v) {
        return field(1, name, ByteBuffer.allocate(8).putLong(v).array());
    }

    Raw nested(String name, Raw inner) {
        return field(4, name, inner.bytes());
    }

    Raw bytes(int... b) {
        for (int x : b) {
            out.write(x);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A request around this payload, header correct. */
    byte[] request(int code, long sequence) {
        byte[] p = bytes();
        return message(MessageCodec.MAGIC, 1, 1, code, sequence, p.length, p);
    }

    static byte[] message(int magic, int version, int kindByte, int code, long sequence, long declaredLength,
            byte[] payload) {
        return ByteBuffer.allocate(16 + payload.length)
                .putInt(magic).put((byte) version).put((byte) kindByte).putShort((short) code)
                .putInt((int) sequence).putInt((int) declaredLength).put(payload)
                .array();
    }
}

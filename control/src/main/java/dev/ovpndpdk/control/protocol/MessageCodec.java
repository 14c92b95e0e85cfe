package dev.ovpndpdk.control.protocol;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The control-socket message format: constants, encoder, strict decoder, and the splitting of
 * big replies into MORE parts (docs/control-protocol.md).
 *
 * <pre>
 * header, 16 bytes, big-endian:
 *   0  magic     u32  0x4F565044 "OVPD"
 *   4  version   u8   1
 *   5  kind      u8   low 4 bits: 1 request, 2 reply, 3 notification; high 4 bits: flags (0x10 MORE)
 *   6  code      u16  command or notification
 *   8  sequence  u32  chosen by the client, echoed by the reply
 *  12  length    u32  payload bytes that follow; header + payload ≤ 65536
 * payload: fields, back to back:
 *   type u8 | name length u8 (1..63) | name [a-z0-9_] | value length u32 | value
 * </pre>
 *
 * <p>The decoder never trusts a length: each is checked against the bytes that remain before
 * it is used, so it reads nothing outside the datagram and allocates at most a small multiple
 * of the datagram's size. Nesting is limited, so recursion is too. Any defect is a
 * {@link MalformedMessageException}; nothing else escapes {@link #decode}. Fields of a type
 * the decoder does not know are skipped by their length. Thread-safe: no mutable state.
 */
public final class MessageCodec {
    public static final int MAGIC = 0x4F565044;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 16;
    /** Largest datagram, header included; bigger requests are refused with E2BIG. */
    public static final int MAX_MESSAGE_BYTES = 65536;
    /** At most this many NESTED fields on any path from the top (a peer's remote is depth 2). */
    public static final int MAX_DEPTH = 4;
    public static final int MAX_NAME_BYTES = 63;
    public static final int KIND_MASK = 0x0F;
    /** Set in byte 5 on every part of a multi-part reply except the last. */
    public static final int FLAG_MORE = 0x10;
    /** Type, name length and value length: the bytes of a field besides its name and value. */
    public static final int FIELD_OVERHEAD = 6;
    /** Smallest message limit a codec can be configured with (tests use small ones). */
    public static final int MIN_LIMIT_BYTES = 128;

    private final int maxMessageBytes;
    private final int maxDepth;

    /** The protocol's limits: 65536 bytes, depth 4. */
    public MessageCodec() {
        this(MAX_MESSAGE_BYTES, MAX_DEPTH);
    }

    /** Tighter limits than the protocol's; for tests and for clients that want smaller parts. */
    public MessageCodec(int maxMessageBytes, int maxDepth) {
        if (maxMessageBytes < MIN_LIMIT_BYTES || maxMessageBytes > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes must be in "
                    + MIN_LIMIT_BYTES + ".." + MAX_MESSAGE_BYTES + ", got " + maxMessageBytes);
        }
        if (maxDepth < 0 || maxDepth > MAX_DEPTH) {
            throw new IllegalArgumentException("maxDepth must be in 0.." + MAX_DEPTH + ", got " + maxDepth);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.maxDepth = maxDepth;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int maxDepth() {
        return maxDepth;
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The encoded size of {@code m}, header included.
     *
     * @throws IllegalArgumentException if {@code m} nests deeper than the limit
     */
    public long encodedSize(Message m) {
        return HEADER_BYTES + fieldsSize(m.fields(), 0);
    }

    /**
     * Encodes one message into a new array.
     *
     * @throws IllegalArgumentException if it is bigger than the limit (split a reply with
     *         {@link #split} / {@link #encodeParts}) or nests too deep
     */
    public byte[] encode(Message m) {
        int size = checkedSize(m);
        ByteBuffer out = ByteBuffer.allocate(size);
        write(m, size - HEADER_BYTES, out);
        return out.array();
    }

    /**
     * Encodes one message at {@code dst}'s position and advances it; {@code dst}'s byte order
     * does not matter. Returns the number of bytes written.
     *
     * @throws BufferOverflowException if {@code dst} has less room than the message (nothing written)
     */
    public int encode(Message m, ByteBuffer dst) {
        int size = checkedSize(m);
        if (dst.remaining() < size) {
            throw new BufferOverflowException();
        }
        ByteBuffer out = dst.duplicate().order(ByteOrder.BIG_ENDIAN);
        write(m, size - HEADER_BYTES, out);
        dst.position(dst.position() + size);
        return size;
    }

    /**
     * A reply cut into parts that each fit the limit: the top-level fields in order, packed
     * greedily, every part but the last flagged MORE, all with the reply's code and sequence.
     * A reply that fits is returned as is. Joining the parts' fields gives the reply back
     * ({@link ReplyAssembler}); the {@code error} field, first, is in the first part.
     *
     * @throws IllegalArgumentException if {@code reply} is not a reply, or one top-level field
     *         alone does not fit in a part
     */
    public List<Message> split(Message reply) {
        if (reply.kind() != Kind.REPLY) {
            throw new IllegalArgumentException("only replies are split, not " + reply.kind());
        }
        if (encodedSize(reply) <= maxMessageBytes) {
            return List.of(reply);
        }
        List<Message> parts = new ArrayList<>();
        new ReplyParts(this, reply, java.util.Collections.emptyIterator()).forEachRemaining(parts::add);
        return List.copyOf(parts);
    }

    /** {@link #split} then {@link #encode} each part: one datagram per element. */
    public List<byte[]> encodeParts(Message reply) {
        List<byte[]> out = new ArrayList<>();
        for (Message part : split(reply)) {
            out.add(encode(part));
        }
        return List.copyOf(out);
    }

    private int checkedSize(Message m) {
        long size = encodedSize(m);
        if (size > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + size + " bytes exceeds the "
                    + maxMessageBytes + "-byte limit" + (m.kind() == Kind.REPLY ? "; use split()" : ""));
        }
        return (int) size;
    }

    private long fieldsSize(Fields fields, int depth) {
        long size = 0;
        for (Field f : fields) {
            size += fieldSize(f, depth);
        }
        return size;
    }

    long fieldSize(Field f, int depth) {
        return FIELD_OVERHEAD + f.name().length() + valueSize(f, depth);
    }

    private long valueSize(Field f, int depth) {
        return switch (f) {
            case Field.U64 _ -> 8;
            case Field.Bool _ -> 1;
            case Field.Str s -> utf8Length(s.value());
            case Field.Bytes b -> b.length();
            case Field.Nested n -> {
                if (depth >= maxDepth) {
                    throw new IllegalArgumentException("field " + n.name() + " nests deeper than "
                            + maxDepth + " levels");
                }
                yield fieldsSize(n.value(), depth + 1);
            }
        };
    }

    private static void write(Message m, int payloadBytes, ByteBuffer out) {
        out.putInt(MAGIC);
        out.put((byte) VERSION);
        out.put((byte) (m.kind().code() | (m.more() ? FLAG_MORE : 0)));
        out.putShort((short) m.code());
        out.putInt((int) m.sequence());
        out.putInt(payloadBytes);
        writeFields(m.fields(), out);
    }

    private static void writeFields(Fields fields, ByteBuffer out) {
        for (Field f : fields) {
            out.put((byte) f.type().code());
            out.put((byte) f.name().length());
            for (int i = 0; i < f.name().length(); i++) {
                out.put((byte) f.name().charAt(i));
            }
            int lengthAt = out.position();
            out.putInt(0);
            switch (f) {
                case Field.U64 u -> out.putLong(u.value());
                case Field.Bool b -> out.put((byte) (b.value() ? 1 : 0));
                case Field.Str s -> out.put(s.value().getBytes(StandardCharsets.UTF_8));
                case Field.Bytes b -> out.put(b.unsafeValue());
                case Field.Nested n -> writeFields(n.value(), out);
            }
            out.putInt(lengthAt, out.position() - lengthAt - 4);
        }
    }

    /** UTF-8 length of a string without lone surrogates ({@link Field.Str} refuses those). */
    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ decoding

    /** Decodes one datagram. */
    public Message decode(byte[] datagram) throws MalformedMessageException {
        return decode(datagram, 0, datagram.length);
    }

    /** Decodes the datagram in {@code buf[off, off + len)}. */
    public Message decode(byte[] buf, int off, int len) throws MalformedMessageException {
        Objects.checkFromIndexSize(off, len, buf.length);
        return decode(ByteBuffer.wrap(buf, off, len));
    }

    /** Decodes the datagram between {@code datagram}'s position and limit; the position does not move. */
    public Message decode(ByteBuffer datagram) throws MalformedMessageException {
        ByteBuffer b = datagram.slice().order(ByteOrder.BIG_ENDIAN);
        int len = b.remaining();
        if (len < HEADER_BYTES) {
            throw new MalformedMessageException(Errno.EINVAL,
                    "message of " + len + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw new MalformedMessageException(Errno.EINVAL,
                    String.format("bad magic 0x%08x, expected 0x%08x (\"OVPD\")", magic, MAGIC));
        }
        int code = b.getShort(6) & 0xFFFF;
        long sequence = b.getInt(8) & 0xFFFF_FFFFL;
        FieldReader reader = new FieldReader(b, maxDepth, code, sequence);
        if (len > maxMessageBytes) {
            throw reader.error(Errno.E2BIG,
                    "message of " + len + " bytes exceeds the " + maxMessageBytes + "-byte limit");
        }
        int version = b.get(4) & 0xFF;
        if (version != VERSION) {
            throw reader.error(Errno.EPROTONOSUPPORT,
                    "protocol version " + version + " is not supported, this side speaks " + VERSION);
        }
        int kindByte = b.get(5) & 0xFF;
        Kind kind = Kind.fromCode(kindByte & KIND_MASK);
        if (kind == null) {
            throw reader.error(Errno.EINVAL, "unknown message kind " + (kindByte & KIND_MASK));
        }
        int flags = kindByte & ~KIND_MASK;
        if ((flags & ~FLAG_MORE) != 0) {
            throw reader.error(Errno.EINVAL, String.format("unknown flags 0x%02x", flags & ~FLAG_MORE));
        }
        boolean more = (flags & FLAG_MORE) != 0;
        if (more && kind != Kind.REPLY) {
            throw reader.error(Errno.EINVAL, "flag MORE on a " + kind + ": only replies have parts");
        }
        long payload = b.getInt(12) & 0xFFFF_FFFFL;
        if (payload > maxMessageBytes - HEADER_BYTES) {
            throw reader.error(Errno.E2BIG, "payload length " + payload + " exceeds the "
                    + maxMessageBytes + "-byte limit");
        }
        if (payload != len - HEADER_BYTES) {
            throw reader.error(Errno.EINVAL, "payload length " + payload + " does not match the "
                    + (len - HEADER_BYTES) + " bytes after the header");
        }
        Fields fields = reader.read(HEADER_BYTES, len, 0, "");
        return new Message(kind, code, sequence, more, fields);
    }
}

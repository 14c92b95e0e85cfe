package dev.ovpndpdk.control.protocol;

import static dev.ovpndpdk.control.protocol.MessageCodec.FIELD_OVERHEAD;
import static dev.ovpndpdk.control.protocol.MessageCodec.MAX_NAME_BYTES;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The strict half of {@link MessageCodec#decode}: reads the fields of one datagram whose
 * header has been checked. Every length is compared with the bytes left before it is used;
 * every defect becomes a {@link MalformedMessageException} that echoes the request's code
 * and sequence. One reader per datagram.
 */
final class FieldReader {
    private static final int MIN_FIELD_BYTES = FIELD_OVERHEAD + 1;

    private final ByteBuffer b;
    private final int maxDepth;
    private final int code;
    private final long sequence;

    FieldReader(ByteBuffer datagram, int maxDepth, int code, long sequence) {
        this.b = datagram;
        this.maxDepth = maxDepth;
        this.code = code;
        this.sequence = sequence;
    }

    MalformedMessageException error(int errno, String message) {
        return new MalformedMessageException(errno, message, code, sequence);
    }

    /** The fields in {@code [pos, end)}, which lie inside {@code depth} NESTED fields named by {@code path}. */
    Fields read(int pos, int end, int depth, String path) throws MalformedMessageException {
        Fields.Builder fields = Fields.builder();
        while (pos < end) {
            int left = end - pos;
            if (left < MIN_FIELD_BYTES) {
                throw error(Errno.EINVAL, "truncated field at offset " + pos + ": " + left
                        + " bytes left, a field takes at least " + MIN_FIELD_BYTES);
            }
            int type = b.get(pos) & 0xFF;
            int nameLength = b.get(pos + 1) & 0xFF;
            if (nameLength < 1 || nameLength > MAX_NAME_BYTES) {
                throw error(Errno.EINVAL, "field at offset " + pos + ": name length " + nameLength
                        + " is not in 1.." + MAX_NAME_BYTES);
            }
            if (left < FIELD_OVERHEAD + nameLength) {
                throw error(Errno.EINVAL, "truncated field at offset " + pos + ": its header needs "
                        + (FIELD_OVERHEAD + nameLength) + " bytes, " + left + " left");
            }
            String name = readName(pos + 2, nameLength);
            int valueAt = pos + 2 + nameLength + 4;
            long valueLength = b.getInt(valueAt - 4) & 0xFFFF_FFFFL;
            if (valueLength > end - valueAt) {
                throw error(Errno.EINVAL, "field " + path + name + " at offset " + pos + ": value length "
                        + valueLength + " runs past the end (" + (end - valueAt) + " bytes left)");
            }
            int n = (int) valueLength;
            FieldType t = FieldType.fromCode(type);
            if (t != null) {
                fields.add(readValue(t, name, valueAt, n, depth, path));
            }
            // An unknown type is skipped by its length: a later version's type must not break us.
            pos = valueAt + n;
        }
        return fields.build();
    }

    private String readName(int at, int length) throws MalformedMessageException {
        char[] name = new char[length];
        for (int i = 0; i < length; i++) {
            int c = b.get(at + i) & 0xFF;
            if (!Field.isNameChar(c)) {
                throw error(Errno.EINVAL, String.format(
                        "field at offset %d: name byte 0x%02x is not one of [a-z0-9_]", at - 2, c));
            }
            name[i] = (char) c;
        }
        return new String(name);
    }

    private Field readValue(FieldType type, String name, int at, int n, int depth, String path)
            throws MalformedMessageException {
        return switch (type) {
            case U64 -> {
                if (n != 8) {
                    throw error(Errno.EINVAL, "field " + path + name + ": u64 takes 8 bytes, got " + n);
                }
                yield Field.u64(name, b.getLong(at));
            }
            case BOOL -> {
                int v = n == 1 ? b.get(at) : -1;
                if (v != 0 && v != 1) {
                    throw error(Errno.EINVAL, "field " + path + name + ": bool takes one byte, 0 or 1");
                }
                yield Field.bool(name, v == 1);
            }
            case STRING -> Field.string(name, readString(at, n, path + name));
            case BYTES -> {
                byte[] value = new byte[n];
                b.get(at, value);
                yield Field.bytes(name, value);
            }
            case NESTED -> {
                if (depth >= maxDepth) {
                    throw error(Errno.EINVAL, "field " + path + name + ": nested deeper than "
                            + maxDepth + " levels");
                }
                yield Field.nested(name, read(at, at + n, depth + 1, path + name + "."));
            }
        };
    }

    private String readString(int at, int n, String field) throws MalformedMessageException {
        for (int i = 0; i < n; i++) {
            if (b.get(at + i) == 0) {
                throw error(Errno.EINVAL, "field " + field + ": string contains NUL");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.slice(at, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(Errno.EINVAL, "field " + field + ": string is not valid UTF-8");
        }
    }
}

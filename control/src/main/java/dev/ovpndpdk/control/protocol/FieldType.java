package dev.ovpndpdk.control.protocol;

/**
 * The value types a field can have, with their one-byte wire codes. Code 0 is reserved and
 * never sent. A receiver skips a field whose type code it does not know, by its value length:
 * that is how a later version adds types without breaking older daemons and clients.
 */
public enum FieldType {
    /** Unsigned 64-bit integer, 8 bytes big-endian. */
    U64(1, "u64"),
    /** UTF-8 text without NUL bytes; the length is the byte count, no terminator. */
    STRING(2, "string"),
    /** Opaque bytes. */
    BYTES(3, "bytes"),
    /** A sequence of fields, encoded exactly like a message payload. */
    NESTED(4, "nested"),
    /** One byte, 0 (false) or 1 (true). */
    BOOL(5, "bool");

    private final int code;
    private final String wireName;

    FieldType(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    public int code() {
        return code;
    }

    /** The lower-case name used in error messages ("expected u64, got string") and the docs. */
    public String wireName() {
        return wireName;
    }

    /** The type with this code, or null for a code this version does not know. */
    public static FieldType fromCode(int code) {
        return switch (code) {
            case 1 -> U64;
            case 2 -> STRING;
            case 3 -> BYTES;
            case 4 -> NESTED;
            case 5 -> BOOL;
            default -> null;
        };
    }
}

package dev.ovpndpdk.control.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One named, typed value of a message: on the wire {@code type u8, name length u8, name,
 * value length u32, value} (docs/control-protocol.md, "Fields"). Names are 1..63 bytes of
 * {@code [a-z0-9_]}; the catalogue of names is {@link FieldNames}. Immutable: byte arrays
 * are copied in and out.
 */
public sealed interface Field {

    String name();

    FieldType type();

    static U64 u64(String name, long value) {
        return new U64(name, value);
    }

    static Str string(String name, String value) {
        return new Str(name, value);
    }

    static Bytes bytes(String name, byte[] value) {
        return new Bytes(name, value);
    }

    static Nested nested(String name, Fields value) {
        return new Nested(name, value);
    }

    static Bool bool(String name, boolean value) {
        return new Bool(name, value);
    }

    /** An unsigned 64-bit integer; {@code value} holds the bits (use Long's unsigned methods). */
    record U64(String name, long value) implements Field {
        public U64 {
            checkName(name);
        }

        @Override
        public FieldType type() {
            return FieldType.U64;
        }

        @Override
        public String toString() {
            return name + "=" + Long.toUnsignedString(value);
        }
    }

    /** UTF-8 text; must not contain NUL (C clients handle it as a C string). */
    record Str(String name, String value) implements Field {
        public Str {
            checkName(name);
            Objects.requireNonNull(value, "value");
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("field " + name + ": a string must not contain NUL");
            }
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
                throw new IllegalArgumentException("field " + name + ": not valid Unicode (lone surrogate)");
            }
        }

        @Override
        public FieldType type() {
            return FieldType.STRING;
        }

        @Override
        public String toString() {
            return name + "=\"" + value + "\"";
        }
    }

    /** Opaque bytes. {@code toString} never shows the bytes of secret fields (key, nonce_tail). */
    record Bytes(String name, byte[] value) implements Field {
        public Bytes {
            checkName(name);
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** The length without copying the bytes. */
        public int length() {
            return value.length;
        }

        @Override
        public FieldType type() {
            return FieldType.BYTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && name.equals(b.name) && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            if (FieldNames.isSecret(name)) {
                return name + "=<" + value.length + " bytes>";
            }
            return name + "=0x" + HexFormat.of().formatHex(value);
        }

        /** Package-private: the encoder writes the bytes without a copy. */
        byte[] unsafeValue() {
            return value;
        }
    }

    /** A sequence of fields, e.g. a sockaddr ({@link SockAddrField}) or one peer of a dump. */
    record Nested(String name, Fields value) implements Field {
        public Nested {
            checkName(name);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public FieldType type() {
            return FieldType.NESTED;
        }

        @Override
        public String toString() {
            return name + "=" + value;
        }
    }

    /** A boolean, one byte 0 or 1. */
    record Bool(String name, boolean value) implements Field {
        public Bool {
            checkName(name);
        }

        @Override
        public FieldType type() {
            return FieldType.BOOL;
        }

        @Override
        public String toString() {
            return name + "=" + value;
        }
    }

    /** True if {@code name} is a valid field name: 1..63 characters of [a-z0-9_]. */
    static boolean isValidName(CharSequence name) {
        int n = name.length();
        if (n < 1 || n > MessageCodec.MAX_NAME_BYTES) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isNameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid field name \"" + name
                    + "\": 1.." + MessageCodec.MAX_NAME_BYTES + " characters of [a-z0-9_]");
        }
    }
}

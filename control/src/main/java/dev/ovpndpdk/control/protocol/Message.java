package dev.ovpndpdk.control.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One control message: the header's kind, code, sequence and MORE flag, and the fields
 * (docs/control-protocol.md). Immutable; built with {@link #request}, {@link #replyTo},
 * {@link #errorReplyTo} or {@link #notification}, turned into bytes by {@link MessageCodec}.
 *
 * <p>The field accessors are those of {@link Fields}, repeated here for the top level:
 * {@code request.u64(FieldNames.PEER_ID, FieldNames.PEER_ID_MAX)}.
 */
public final class Message {
    private final Kind kind;
    private final int code;
    private final long sequence;
    private final boolean more;
    private final Fields fields;

    Message(Kind kind, int code, long sequence, boolean more, Fields fields) {
        this.kind = Objects.requireNonNull(kind, "kind");
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("code " + code + " does not fit in u16");
        }
        if (sequence < 0 || sequence > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("sequence " + sequence + " does not fit in u32");
        }
        if (more && kind != Kind.REPLY) {
            throw new IllegalArgumentException("only replies are split into parts (MORE)");
        }
        this.code = code;
        this.sequence = sequence;
        this.more = more;
        this.fields = Objects.requireNonNull(fields, "fields");
    }

    /** A request for {@code command}; {@code sequence} (u32) is the client's, echoed by the reply. */
    public static Builder request(Command command, long sequence) {
        return new Builder(Kind.REQUEST, command.code(), sequence);
    }

    /** A request with a raw code, e.g. one this version does not know (tests, forward compatibility). */
    public static Builder request(int code, long sequence) {
        return new Builder(Kind.REQUEST, code, sequence);
    }

    public static Builder notification(Notification notification, long sequence) {
        return new Builder(Kind.NOTIFICATION, notification.code(), sequence);
    }

    /** Any kind and code, no implicit fields. */
    public static Builder builder(Kind kind, int code, long sequence) {
        return new Builder(kind, code, sequence);
    }

    /** A successful reply to {@code request}: same code and sequence, {@code error} = 0 first. */
    public static Builder replyTo(Message request) {
        return new Builder(Kind.REPLY, request.code, request.sequence).u64(FieldNames.ERROR, Errno.OK);
    }

    /** An error reply: {@code error} = errno, {@code message} = text. */
    public static Message errorReply(int code, long sequence, int errno, String text) {
        if (errno <= 0) {
            throw new IllegalArgumentException("an error reply needs a positive errno, got " + errno);
        }
        return new Builder(Kind.REPLY, code, sequence)
                .u64(FieldNames.ERROR, errno)
                .string(FieldNames.MESSAGE, text.replace('\0', ' '))
                .build();
    }

    /** The error reply to {@code request} for {@code e}. */
    public static Message errorReplyTo(Message request, ErrnoException e) {
        return errorReply(request.code, request.sequence, e.errno(), String.valueOf(e.getMessage()));
    }

    /**
     * The error reply to a datagram that did not decode: it echoes code and sequence when the
     * header was readable, else 0 and 0.
     */
    public static Message errorReplyTo(MalformedMessageException e) {
        return errorReply(e.code(), e.sequence(), e.errno(), String.valueOf(e.getMessage()));
    }

    public Kind kind() {
        return kind;
    }

    /** The command or notification number (u16). */
    public int code() {
        return code;
    }

    /** The sequence number (u32). */
    public long sequence() {
        return sequence;
    }

    /** True for every part of a multi-part reply but the last. */
    public boolean more() {
        return more;
    }

    public Fields fields() {
        return fields;
    }

    /** The command of a request or reply; empty for an unknown code or a notification. */
    public Optional<Command> command() {
        return kind == Kind.NOTIFICATION ? Optional.empty() : Command.fromCode(code);
    }

    /** The notification of a notification message; empty otherwise or for an unknown code. */
    public Optional<Notification> notification() {
        return kind == Kind.NOTIFICATION ? Notification.fromCode(code) : Optional.empty();
    }

    /**
     * The errno of a reply, 0 on success. A reply without {@code error} is refused: every
     * reply part that starts a reply carries it.
     */
    public long error() throws FieldException {
        return fields.u64(FieldNames.ERROR);
    }

    /** The error reply's human-readable message, if any. */
    public Optional<String> errorMessage() throws FieldException {
        return fields.optString(FieldNames.MESSAGE);
    }

    /** This message with another MORE flag; used when splitting and joining replies. */
    Message withMore(boolean more, Fields fields) {
        return new Message(kind, code, sequence, more, fields);
    }

    public boolean has(String name) {
        return fields.has(name);
    }

    public List<Field> all(String name) {
        return fields.all(name);
    }

    public long u64(String name) throws FieldException {
        return fields.u64(name);
    }

    public long u64(String name, long max) throws FieldException {
        return fields.u64(name, max);
    }

    public OptionalLong optU64(String name) throws FieldException {
        return fields.optU64(name);
    }

    public OptionalLong optU64(String name, long max) throws FieldException {
        return fields.optU64(name, max);
    }

    public String string(String name) throws FieldException {
        return fields.string(name);
    }

    public Optional<String> optString(String name) throws FieldException {
        return fields.optString(name);
    }

    public byte[] bytes(String name, int... lengths) throws FieldException {
        return lengths.length == 0 ? fields.bytes(name) : fields.bytes(name, lengths);
    }

    public Optional<byte[]> optBytes(String name, int... lengths) throws FieldException {
        return lengths.length == 0 ? fields.optBytes(name) : fields.optBytes(name, lengths);
    }

    public boolean bool(String name) throws FieldException {
        return fields.bool(name);
    }

    public Optional<Boolean> optBool(String name) throws FieldException {
        return fields.optBool(name);
    }

    public Fields nested(String name) throws FieldException {
        return fields.nested(name);
    }

    public Optional<Fields> optNested(String name) throws FieldException {
        return fields.optNested(name);
    }

    public List<Fields> allNested(String name) throws FieldException {
        return fields.allNested(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && kind == m.kind && code == m.code && sequence == m.sequence
                && more == m.more && fields.equals(m.fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, code, sequence, more, fields);
    }

    /** For logs; key material is never shown ({@link FieldNames#isSecret}). */
    @Override
    public String toString() {
        String name = switch (kind) {
            case NOTIFICATION -> notification().map(Enum::name).orElse("notification " + code);
            default -> command().map(Enum::name).orElse("command " + code);
        };
        return kind + " " + name + " seq=" + sequence + (more ? " MORE " : " ") + fields;
    }

    /** Adds fields in order, then {@link #build()}. */
    public static final class Builder {
        private final Kind kind;
        private final int code;
        private final long sequence;
        private final Fields.Builder fields = Fields.builder();

        private Builder(Kind kind, int code, long sequence) {
            this.kind = kind;
            this.code = code;
            this.sequence = sequence;
        }

        public Builder add(Field field) {
            fields.add(field);
            return this;
        }

        public Builder addAll(Iterable<Field> more) {
            fields.addAll(more);
            return this;
        }

        public Builder u64(String name, long value) {
            fields.u64(name, value);
            return this;
        }

        public Builder string(String name, String value) {
            fields.string(name, value);
            return this;
        }

        public Builder bytes(String name, byte[] value) {
            fields.bytes(name, value);
            return this;
        }

        public Builder bool(String name, boolean value) {
            fields.bool(name, value);
            return this;
        }

        public Builder nested(String name, Fields value) {
            fields.nested(name, value);
            return this;
        }

        public Message build() {
            return new Message(kind, code, sequence, false, fields.build());
        }
    }
}

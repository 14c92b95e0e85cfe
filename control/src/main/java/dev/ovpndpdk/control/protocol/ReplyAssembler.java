package dev.ovpndpdk.control.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Joins the parts of a multi-part reply ({@link MessageCodec#split}) back into one: feed it
 * every reply received, in order; it answers the whole reply when the part without MORE
 * arrives. The joined fields are the parts' fields, concatenated in order. Notifications that
 * arrive between parts on a subscribed connection are the caller's to route: only replies go in.
 *
 * <p>Bounded: more than {@code maxParts} parts for one reply is refused (E2BIG), so a
 * misbehaving peer cannot make a client buffer without end. Not thread-safe.
 */
public final class ReplyAssembler {
    /** 4096 parts of 64 KiB: a 256 MiB dump; a peer with its counters and a key takes some 1,100 bytes, so 240,000 peers. */
    public static final int DEFAULT_MAX_PARTS = 4096;

    private final int maxParts;
    private final List<Field> fields = new ArrayList<>();
    private Message first;
    private int parts;

    public ReplyAssembler() {
        this(DEFAULT_MAX_PARTS);
    }

    public ReplyAssembler(int maxParts) {
        if (maxParts < 1) {
            throw new IllegalArgumentException("maxParts must be positive, got " + maxParts);
        }
        this.maxParts = maxParts;
    }

    /** Joins a complete list of parts, the last without MORE and no other. */
    public static Message join(List<Message> parts) throws MalformedMessageException {
        ReplyAssembler assembler = new ReplyAssembler(Math.max(1, parts.size()));
        for (int i = 0; i < parts.size(); i++) {
            Optional<Message> whole = assembler.add(parts.get(i));
            if (whole.isPresent()) {
                if (i != parts.size() - 1) {
                    throw parts.get(i + 1).kind() == Kind.REPLY
                            ? new MalformedMessageException(Errno.EINVAL,
                                    "part " + (i + 2) + " follows the last part of the reply")
                            : new MalformedMessageException(Errno.EINVAL, "not a reply");
                }
                return whole.get();
            }
        }
        throw new MalformedMessageException(Errno.EINVAL, "the last part (without MORE) is missing");
    }

    /**
     * Adds the next reply part; returns the whole reply once {@code part} is the last one.
     *
     * @throws MalformedMessageException if {@code part} is not a reply, belongs to another
     *         request than the parts before it (EINVAL), or is one part too many (E2BIG); the
     *         assembler is then reset
     */
    public Optional<Message> add(Message part) throws MalformedMessageException {
        if (part.kind() != Kind.REPLY) {
            reset();
            throw new MalformedMessageException(Errno.EINVAL, "a " + part.kind() + " is not a reply part");
        }
        if (first == null) {
            first = part;
        } else if (part.code() != first.code() || part.sequence() != first.sequence()) {
            Message expected = first;
            reset();
            throw new MalformedMessageException(Errno.EINVAL, "reply part for code " + part.code()
                    + " sequence " + part.sequence() + " while joining code " + expected.code()
                    + " sequence " + expected.sequence(), part.code(), part.sequence());
        }
        if (++parts > maxParts) {
            reset();
            throw new MalformedMessageException(Errno.E2BIG, "reply of more than " + maxParts + " parts",
                    part.code(), part.sequence());
        }
        fields.addAll(part.fields().list());
        if (part.more()) {
            return Optional.empty();
        }
        Message whole = first.withMore(false, Fields.of(fields));
        reset();
        return Optional.of(whole);
    }

    /** True between the first part of a reply and its last. */
    public boolean inProgress() {
        return first != null;
    }

    private void reset() {
        first = null;
        parts = 0;
        fields.clear();
    }
}

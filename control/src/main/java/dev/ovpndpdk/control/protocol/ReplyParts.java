package dev.ovpndpdk.control.protocol;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The parts of a reply, packed one at a time (docs/control-protocol.md, "Multi-part
 * replies"): the head's fields, then {@code more}'s, in order, as many whole top-level fields
 * per part as fit; every part but the last has MORE. Lazy: {@code more} is read only as
 * parts are taken, so a dump of 100,000 peers never exists as a whole in the daemon — it
 * builds the next part when the client's socket has taken the last one.
 */
public final class ReplyParts implements Iterator<Message> {
    private final MessageCodec codec;
    private final Message head;
    private final Iterator<Field> fields;
    private Field pending;
    private boolean done;

    /**
     * @param head the reply: kind, code, sequence and its first fields
     * @param more the fields after the head's, produced on demand
     */
    public ReplyParts(MessageCodec codec, Message head, Iterator<Field> more) {
        if (head.kind() != Kind.REPLY) {
            throw new IllegalArgumentException("only replies are split, not " + head.kind());
        }
        this.codec = codec;
        this.head = head;
        Iterator<Field> first = head.fields().iterator();
        this.fields = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return first.hasNext() || more.hasNext();
            }

            @Override
            public Field next() {
                return first.hasNext() ? first.next() : more.next();
            }
        };
    }

    @Override
    public boolean hasNext() {
        return !done;
    }

    /**
     * @throws IllegalArgumentException if one top-level field alone does not fit in a part
     */
    @Override
    public Message next() {
        if (done) {
            throw new NoSuchElementException();
        }
        long budget = codec.maxMessageBytes() - MessageCodec.HEADER_BYTES;
        List<Field> part = new ArrayList<>();
        long used = 0;
        while (pending != null || fields.hasNext()) {
            Field f = pending != null ? pending : fields.next();
            pending = null;
            long size = codec.fieldSize(f, 0);
            if (size > budget) {
                throw new IllegalArgumentException("field " + f.name() + " of " + size
                        + " bytes does not fit in a " + codec.maxMessageBytes() + "-byte message");
            }
            if (used + size > budget) {
                pending = f;
                break;
            }
            part.add(f);
            used += size;
        }
        done = pending == null && !fields.hasNext();
        return head.withMore(!done, Fields.of(part));
    }
}

package dev.ovpndpdk.control.protocol;

/**
 * A datagram that is not a well-formed control message: wrong magic or version, a length
 * that does not add up, a bad field name, nesting too deep, a value that does not fit its
 * type, or simply too big. The only exception {@link MessageCodec#decode} throws on any input.
 *
 * <p>When the 16-byte header was readable and had the right magic, {@link #hasHeader()} is
 * true and {@link #code()} / {@link #sequence()} are the request's, so the error reply can
 * echo them; otherwise the reply goes out with code 0 and sequence 0.
 */
public final class MalformedMessageException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    private final boolean hasHeader;
    private final int code;
    private final long sequence;

    /** The header could not be read (too short, bad magic, too big). */
    public MalformedMessageException(int errno, String message) {
        super(errno, message);
        this.hasHeader = false;
        this.code = 0;
        this.sequence = 0;
    }

    /** The header was read; the problem is in its other fields or in the payload. */
    public MalformedMessageException(int errno, String message, int code, long sequence) {
        super(errno, message);
        this.hasHeader = true;
        this.code = code;
        this.sequence = sequence;
    }

    public boolean hasHeader() {
        return hasHeader;
    }

    /** The header's command or notification code, 0 when {@link #hasHeader()} is false. */
    public int code() {
        return code;
    }

    /** The header's sequence, 0 when {@link #hasHeader()} is false. */
    public long sequence() {
        return sequence;
    }
}

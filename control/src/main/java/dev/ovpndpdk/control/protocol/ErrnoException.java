package dev.ovpndpdk.control.protocol;

/**
 * A request failed in a way the client is told about: a Linux errno number and a
 * human-readable message, exactly what an error reply carries ({@code error}, {@code message}).
 * A server catches this one type and answers with {@link Message#errorReplyTo}.
 *
 * <p>Command handlers throw it directly (ENOENT "no peer 5"); the codec throws the
 * {@link MalformedMessageException} subclass, the field accessors {@link FieldException}.
 *
 * <p>No stack trace is recorded: these are answers to bad input, not bugs, and a client
 * sending garbage in a loop should cost the control thread as little as possible.
 */
public class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(int errno, String message) {
        super(message, null, false, false);
        if (errno <= 0) {
            throw new IllegalArgumentException("an error needs a positive errno, got " + errno);
        }
        this.errno = errno;
    }

    /** The Linux errno number the reply's {@code error} field carries ({@link Errno}). */
    public int errno() {
        return errno;
    }
}

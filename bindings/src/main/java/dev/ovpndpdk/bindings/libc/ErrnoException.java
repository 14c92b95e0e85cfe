package dev.ovpndpdk.bindings.libc;

import java.io.IOException;

/**
 * A libc call failed. The message names the call and its important argument, then the C
 * library's text: {@code bind(10.0.0.1:1194): Address already in use}. Never thrown for EAGAIN on
 * the fast path: those methods return a count of 0 (or -1) instead, so a burst that finds nothing
 * costs no exception object.
 */
public class ErrnoException extends IOException {

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The errno value (see {@link Errno}). */
    public int errno() {
        return errno;
    }

    /** The call as named in the message, e.g. {@code bind(10.0.0.1:1194)}. */
    public String call() {
        return call;
    }
}

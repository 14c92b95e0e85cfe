package dev.ovpndpdk.control.client;

import dev.ovpndpdk.control.protocol.Errno;

import java.io.IOException;

/**
 * The daemon answered a request with an error: the reply's {@code error} (a Linux errno) and
 * {@code message}. An IOException so that the command line reports it like any other failure,
 * {@code ovpn-dpdk: no peer 5}, with exit status 1.
 */
public final class RequestRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public RequestRefusedException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno of the reply ({@link Errno}). */
    public int errno() {
        return errno;
    }

    /** "ENOENT", for logs and tests. */
    public String errnoName() {
        return Errno.name(errno);
    }
}

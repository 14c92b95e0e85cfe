package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.Fd;

/**
 * The descriptor that came with a request (SCM_RIGHTS), if any. The daemon owns it from the
 * moment it arrives: a handler looks at it through {@link #fd} and keeps no copy, and it is
 * closed when the request is done, so a descriptor passed with the wrong request never leaks
 * and the daemon never holds on to the OpenVPN process's socket (docs/control-protocol.md,
 * "File descriptors", "ATTACH").
 */
final class PassedFd {
    static final PassedFd NONE = new PassedFd(-1);

    private int fd;

    PassedFd(int fd) {
        this.fd = fd;
    }

    boolean present() {
        return fd >= 0;
    }

    /** The descriptor, still owned here (closed when the request is done); -1 if there is none. */
    int fd() {
        return fd;
    }

    /** Closes the descriptor (the request is done). */
    void close() {
        if (fd >= 0) {
            Fd.closeQuietly(fd);
            fd = -1;
        }
    }
}

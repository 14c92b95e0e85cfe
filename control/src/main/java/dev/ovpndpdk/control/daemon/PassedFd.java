package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.Fd;

/**
 * The descriptor that came with a request (SCM_RIGHTS), if any. The daemon owns it from the
 * moment it arrives: a handler that keeps it {@link #take}s it; whatever is left is closed
 * when the request is done, so a descriptor passed with the wrong request never leaks
 * (docs/control-protocol.md, "File descriptors").
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

    /** Hands the descriptor over to the caller, who must close it; -1 if there is none. */
    int take() {
        int f = fd;
        fd = -1;
        return f;
    }

    /** Closes the descriptor unless it was taken. */
    void closeIfUnused() {
        if (fd >= 0) {
            Fd.closeQuietly(fd);
            fd = -1;
        }
    }
}

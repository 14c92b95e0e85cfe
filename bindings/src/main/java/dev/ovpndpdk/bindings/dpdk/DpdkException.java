package dev.ovpndpdk.bindings.dpdk;

/**
 * A DPDK call failed during set-up (EAL, ports, pools, rings). Unchecked: none of these can be
 * retried usefully, and the fast-path calls report by count, never by exception.
 */
public final class DpdkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public DpdkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno (or {@code RTE_ERRNO_BASE}+n DPDK code) the call reported; 0 if none. */
    public int errno() {
        return errno;
    }
}

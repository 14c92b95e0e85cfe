package dev.ovpndpdk.control.protocol;

/**
 * The Linux errno numbers replies use in their {@code error} field (x86-64 / generic Linux
 * numbering, the values {@code <errno.h>} has on the machines the daemon runs on). The
 * choice of errno per failure follows what if_ovpn and Linux {@code ovpn} return for the
 * same failure (spec §4.1, §5.1), so that an OpenVPN DCO backend can pass them through.
 */
public final class Errno {
    private Errno() {
    }

    /** Success: the value of {@code error} in every successful reply. */
    public static final int OK = 0;
    /** The connecting process is not allowed to control this daemon (peer credentials). */
    public static final int EPERM = 1;
    /** No such peer, key slot or route. */
    public static final int ENOENT = 2;
    /** Request bigger than {@link MessageCodec#MAX_MESSAGE_BYTES}, or a key longer than the cipher's. */
    public static final int E2BIG = 7;
    /** The {@code socket} index names no file descriptor passed with the message. */
    public static final int EBADF = 9;
    /** The socket differs from the one the existing peers use (if_ovpn's rule). */
    public static final int EBUSY = 16;
    /** Peer-id or route already present. */
    public static final int EEXIST = 17;
    /** Malformed message, missing or ill-typed field, value out of range. */
    public static final int EINVAL = 22;
    /** A table (peers, routes) is full. */
    public static final int ENOSPC = 28;
    /** SWAP_KEYS without a complete secondary key (if_ovpn's errno). */
    public static final int ENOLINK = 67;
    /** The passed socket is not a UDP socket (if_ovpn's errno for TCP). */
    public static final int EPROTOTYPE = 91;
    /** Header version other than {@link MessageCodec#VERSION}. */
    public static final int EPROTONOSUPPORT = 93;
    /** Unknown command code, or a cipher or option this daemon does not support. */
    public static final int ENOTSUP = 95;
    /** A VPN address already belongs to another peer (Linux PEER_SET). */
    public static final int EADDRINUSE = 98;

    /** The symbolic name of an errno ("ENOENT"), or "errno N" for one not listed here. */
    public static String name(long errno) {
        return switch ((int) Math.min(Math.max(errno, -1), Integer.MAX_VALUE)) {
            case OK -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ENOLINK -> "ENOLINK";
            case EPROTOTYPE -> "EPROTOTYPE";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case ENOTSUP -> "ENOTSUP";
            case EADDRINUSE -> "EADDRINUSE";
            default -> "errno " + Long.toUnsignedString(errno);
        };
    }
}

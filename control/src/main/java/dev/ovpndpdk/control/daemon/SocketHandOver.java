package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.dataplane.port.socket.SocketBackend;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What NEW_PEER does with the OpenVPN process's UDP socket (spec §3.2): the socket backend
 * adopts it into its reuseport group so the control channel keeps reaching OpenVPN. An
 * interface so that the control server can be tested without a TUN device or root.
 */
@FunctionalInterface
public interface SocketHandOver {
    /**
     * Adopts {@code fd}. On success the descriptor belongs to the adopter; on failure it stays
     * the caller's to close.
     *
     * @throws ErrnoException the errno the client gets: EPROTOTYPE (not UDP), EBUSY (another
     *         socket was handed over before), EINVAL (not usable, with the reason)
     */
    void adopt(int fd) throws ErrnoException;

    /** For daemons without an OpenVPN process behind them in tests: every hand-over refused. */
    SocketHandOver REFUSE = fd -> {
        throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EINVAL,
                "this daemon does not take OpenVPN sockets");
    };

    /**
     * The DPDK backend's answer: nothing to take over. The OpenVPN process's socket lives on
     * the exception interface and keeps receiving everything the fast path does not take; the
     * duplicate we were sent is checked to be UDP and closed.
     */
    SocketHandOver KEEP_ON_EXCEPTION_PATH = fd -> {
        try {
            requireUdp(fd);
        } catch (dev.ovpndpdk.bindings.libc.ErrnoException e) {
            throw notUsable(e);
        }
        dev.ovpndpdk.bindings.libc.Fd.closeQuietly(fd);
    };

    /** EPROTOTYPE unless {@code fd} is a UDP socket (SOCK_DGRAM alone would let a Unix socket in). */
    private static void requireUdp(int fd) throws ErrnoException, dev.ovpndpdk.bindings.libc.ErrnoException {
        int type = SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_TYPE, "getsockopt(SO_TYPE)");
        int protocol = SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_PROTOCOL, "getsockopt(SO_PROTOCOL)");
        if (type != Sockets.SOCK_DGRAM || protocol != Sockets.IPPROTO_UDP) {
            throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EPROTOTYPE,
                    "the passed socket is not a UDP socket (only UDP is supported)");
        }
    }

    /** A descriptor the checks could not even ask: EPROTOTYPE when it is no socket, else EINVAL. */
    private static ErrnoException notUsable(dev.ovpndpdk.bindings.libc.ErrnoException e) {
        return new ErrnoException(e.errno() == Errno.ENOTSOCK
                ? dev.ovpndpdk.control.protocol.Errno.EPROTOTYPE
                : dev.ovpndpdk.control.protocol.Errno.EINVAL,
                "the passed descriptor: " + e.getMessage());
    }

    /**
     * The socket backend's adoption, with the errnos of docs/control-protocol.md: the checks
     * that have their own errno are made here, the rest is the backend's (EINVAL with its
     * message, e.g. "SO_REUSEPORT must be set before bind").
     */
    static SocketHandOver forBackend(SocketBackend backend) {
        return new SocketHandOver() {
            private InetSocketAddress adopted;

            @Override
            public void adopt(int fd) throws ErrnoException {
                try {
                    requireUdp(fd);
                    InetSocketAddress local = Sockets.localAddress(fd);
                    if (adopted != null && !adopted.equals(local)) {
                        throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EBUSY, "the peers of this daemon"
                                + " share the socket bound to " + adopted + "; this one is bound to " + local);
                    }
                    backend.adoptOpenVpnSocket(fd);
                    // The backend closes a second copy of the same socket itself.
                    adopted = local;
                } catch (IllegalArgumentException e) {
                    throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EINVAL, e.getMessage());
                } catch (dev.ovpndpdk.bindings.libc.ErrnoException e) {
                    throw notUsable(e);
                } catch (IOException e) {
                    throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EINVAL, e.getMessage());
                }
            }
        };
    }
}

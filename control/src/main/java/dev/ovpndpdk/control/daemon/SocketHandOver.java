package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.dataplane.port.socket.SocketBackend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.logging.Logger;

/**
 * What the daemon does with the OpenVPN process's UDP socket when ATTACH or NEW_PEER passes it
 * (docs/control-protocol.md, "ATTACH"; spec §3.2): check it, let the backend steer the control
 * channel to it, and keep no copy. The descriptor stays the request's ({@link PassedFd} closes
 * it), so when the OpenVPN process closes its socket the socket is gone for good: a restarted
 * process's new socket takes its place instead of queueing behind a stale one (G2).
 *
 * <p>Which socket is in use is told by its {@link SockOpt#cookie cookie}, not its address: a
 * restarted OpenVPN binds the same address with a new socket.
 */
public final class SocketHandOver {
    private static final Logger LOG = Logger.getLogger(SocketHandOver.class.getName());

    /** The backend's part: make the control channel reach {@code fd}'s socket. */
    @FunctionalInterface
    public interface Steering {
        /**
         * @throws IllegalArgumentException when the socket cannot work here, with the reason
         */
        void steer(int fd) throws IOException;
    }

    /** The socket backend: the socket must be in the workers' reuseport group, steered to by BPF. */
    static Steering forBackend(SocketBackend backend) {
        return backend::steerToOpenVpn;
    }

    /**
     * The DPDK backend: nothing to steer. The OpenVPN process's socket lives on the exception
     * interface and receives everything the fast path does not take; its port must be ours.
     */
    static Steering onExceptionPath(InetSocketAddress listen) {
        return fd -> {
            InetSocketAddress local = Sockets.localAddress(fd);
            if (local.getPort() != listen.getPort()
                    || !(local.getAddress().isAnyLocalAddress() || local.getAddress().equals(listen.getAddress()))) {
                throw new IllegalArgumentException("the handed-over socket is bound to " + local
                        + "; the daemon's exception path delivers to " + listen);
            }
        };
    }

    private final Steering steering;
    /** The socket the control channel goes to; 0 before any was handed over. */
    private long cookie;

    public SocketHandOver(Steering steering) {
        this.steering = steering;
    }

    /**
     * ATTACH's socket: the OpenVPN process that owns the tunnel, so it replaces any socket
     * handed over before (its process is gone, or it is a socket the owner re-created).
     */
    void attach(int fd) throws ErrnoException {
        long c = check(fd);
        steer(fd);
        if (cookie != 0 && cookie != c) {
            LOG.info("the OpenVPN socket handed over before is replaced by the attached process's");
        }
        cookie = c;
    }

    /**
     * NEW_PEER's socket. The one in use again costs nothing (every peer of a server brings it).
     * Another one is refused while peers exist, as if_ovpn refuses a second socket (EBUSY);
     * with no peer left, it is a new OpenVPN process's and takes over.
     */
    void newPeer(int fd, boolean peersExist) throws ErrnoException {
        long c = check(fd);
        if (c == cookie) {
            return;
        }
        if (cookie != 0 && peersExist) {
            throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EBUSY,
                    "the peers of this daemon share another OpenVPN socket; this one is a different socket");
        }
        steer(fd);
        cookie = c;
    }

    /** EPROTOTYPE unless {@code fd} is a UDP socket (SOCK_DGRAM alone would let a Unix socket in); its cookie. */
    private static long check(int fd) throws ErrnoException {
        try {
            int type = SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_TYPE, "getsockopt(SO_TYPE)");
            int protocol = SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_PROTOCOL, "getsockopt(SO_PROTOCOL)");
            if (type != Sockets.SOCK_DGRAM || protocol != Sockets.IPPROTO_UDP) {
                throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EPROTOTYPE,
                        "the passed socket is not a UDP socket (only UDP is supported)");
            }
            return SockOpt.cookie(fd);
        } catch (dev.ovpndpdk.bindings.libc.ErrnoException e) {
            throw notUsable(e);
        }
    }

    private void steer(int fd) throws ErrnoException {
        try {
            steering.steer(fd);
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EINVAL, e.getMessage());
        } catch (dev.ovpndpdk.bindings.libc.ErrnoException e) {
            throw notUsable(e);
        } catch (IOException e) {
            throw new ErrnoException(dev.ovpndpdk.control.protocol.Errno.EINVAL, e.getMessage());
        }
    }

    /** A descriptor the checks could not even ask: EPROTOTYPE when it is no socket, else EINVAL. */
    private static ErrnoException notUsable(dev.ovpndpdk.bindings.libc.ErrnoException e) {
        return new ErrnoException(e.errno() == Errno.ENOTSOCK
                ? dev.ovpndpdk.control.protocol.Errno.EPROTOTYPE
                : dev.ovpndpdk.control.protocol.Errno.EINVAL,
                "the passed descriptor: " + e.getMessage());
    }
}

package dev.ovpndpdk.bindings.libc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Test helper: fds opened by a test, all closed at the end even when an assertion fails. */
final class OpenFds implements AutoCloseable {

    static final InetSocketAddress LOOPBACK4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<Integer> fds = new ArrayList<>();

    int add(int fd) {
        fds.add(fd);
        return fd;
    }

    /** A non-blocking UDP socket bound to {@code address} (port 0: any). */
    int udpBound(InetSocketAddress address) throws ErrnoException {
        int fd = add(Sockets.udp(address));
        Sockets.bind(fd, address);
        return fd;
    }

    /** Same, with SO_REUSEPORT set before bind. */
    int udpReusePort(InetSocketAddress address) throws ErrnoException {
        int fd = add(Sockets.udp(address));
        SockOpt.setReusePort(fd, true);
        Sockets.bind(fd, address);
        return fd;
    }

    @Override
    public void close() {
        for (int i = fds.size() - 1; i >= 0; i--) {
            Fd.closeQuietly(fds.get(i));
        }
        fds.clear();
    }
}

package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.ErrnoException;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** The DPDK backend's hand-over: a UDP socket is taken (and closed), anything else refused. */
class SocketHandOverTest {
    private static final SocketHandOver DPDK = SocketHandOver.KEEP_ON_EXCEPTION_PATH;

    @Test
    void aUdpSocketIsTakenAndClosed() throws Exception {
        int fd = Sockets.udp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DPDK.adopt(fd);
        dev.ovpndpdk.bindings.libc.ErrnoException closed = assertThrows(dev.ovpndpdk.bindings.libc.ErrnoException.class,
                () -> Fd.fcntl(fd, Fd.F_GETFD, 0, "fcntl(F_GETFD)"));
        assertEquals(dev.ovpndpdk.bindings.libc.Errno.EBADF, closed.errno());
    }

    @Test
    void aUnixDatagramSocketIsNotUdp() throws Exception {
        assertRefusedAndLeftOpen(Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0));
    }

    @Test
    void aTcpSocketIsNotUdp() throws Exception {
        assertRefusedAndLeftOpen(Sockets.socket(Sockets.AF_INET, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0));
    }

    @Test
    void aFileIsNotASocket() throws Exception {
        assertRefusedAndLeftOpen(Fd.open("/dev/null", Fd.O_RDONLY | Fd.O_CLOEXEC));
    }

    /** EPROTOTYPE, and {@code fd} is still the caller's: open (closed here afterwards). */
    private static void assertRefusedAndLeftOpen(int fd) throws Exception {
        try {
            ErrnoException e = assertThrows(ErrnoException.class, () -> DPDK.adopt(fd));
            assertEquals(Errno.EPROTOTYPE, e.errno(), e.getMessage());
            Fd.fcntl(fd, Fd.F_GETFD, 0, "fcntl(F_GETFD)"); // throws EBADF if the refusal closed it
        } finally {
            Fd.closeQuietly(fd);
        }
    }
}

package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.ErrnoException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenVPN socket's hand-over: only UDP sockets, steered to once per socket, a socket told
 * by its cookie, another socket refused while peers use one (EBUSY) and taken when none is left
 * or when ATTACH brings it; the descriptor always left to the request, never kept.
 */
class SocketHandOverTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    private final List<Long> steered = new ArrayList<>();
    private final SocketHandOver handOver = new SocketHandOver(fd -> steered.add(SockOpt.cookie(fd)));
    private final List<Integer> open = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        open.forEach(Fd::closeQuietly);
    }

    private int udp(int port) throws Exception {
        int fd = Sockets.udp(new InetSocketAddress(LOOPBACK, 0));
        open.add(fd);
        Sockets.bind(fd, new InetSocketAddress(LOOPBACK, port));
        return fd;
    }

    @Test
    void aUdpSocketIsSteeredToAndStaysTheCallers() throws Exception {
        int fd = udp(0);
        handOver.newPeer(fd, false);
        assertEquals(List.of(SockOpt.cookie(fd)), steered);
        Fd.fcntl(fd, Fd.F_GETFD, 0, "fcntl(F_GETFD)"); // throws EBADF if the hand-over closed it
    }

    @Test
    void theSameSocketAgainCostsNothing() throws Exception {
        int fd = udp(0);
        handOver.newPeer(fd, false);
        handOver.newPeer(fd, true);
        int dup = Fd.fcntl(fd, Fd.F_DUPFD_CLOEXEC, 0, "dup");
        open.add(dup);
        handOver.newPeer(dup, true); // another descriptor, the same socket: its cookie says so
        assertEquals(1, steered.size());
    }

    @Test
    void anotherSocketIsRefusedWhilePeersUseOne() throws Exception {
        handOver.newPeer(udp(0), false);
        ErrnoException e = assertThrows(ErrnoException.class, () -> handOver.newPeer(udp(0), true));
        assertEquals(Errno.EBUSY, e.errno(), e.getMessage());
        assertEquals(1, steered.size());
    }

    @Test
    void anotherSocketTakesOverWhenNoPeerIsLeft() throws Exception {
        handOver.newPeer(udp(0), false);
        int restarted = udp(0);
        handOver.newPeer(restarted, false);
        assertEquals(SockOpt.cookie(restarted), steered.getLast());
    }

    @Test
    void attachReplacesTheSocketInUse() throws Exception {
        handOver.newPeer(udp(0), false);
        int attached = udp(0);
        handOver.attach(attached);
        assertEquals(SockOpt.cookie(attached), steered.getLast());
        handOver.newPeer(attached, true); // its NEW_PEERs may bring it again
        assertEquals(2, steered.size());
    }

    @Test
    void aRefusalOfTheBackendIsEinvalWithItsReason() {
        SocketHandOver refusing = new SocketHandOver(fd -> {
            throw new IllegalArgumentException("not in the group");
        });
        ErrnoException e = assertThrows(ErrnoException.class, () -> refusing.attach(udp(0)));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("not in the group", e.getMessage());
    }

    @Test
    void theExceptionPathWantsTheDaemonsPort() throws Exception {
        int port = Sockets.localAddress(udp(0)).getPort();
        SocketHandOver dpdk = new SocketHandOver(SocketHandOver.onExceptionPath(new InetSocketAddress(LOOPBACK, port + 1)));
        ErrnoException e = assertThrows(ErrnoException.class, () -> dpdk.attach(open.getFirst()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("the daemon's exception path delivers to"), e.getMessage());
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

    /** EPROTOTYPE, nothing steered, and {@code fd} still the caller's: open (closed afterwards). */
    private void assertRefusedAndLeftOpen(int fd) throws Exception {
        open.add(fd);
        ErrnoException e = assertThrows(ErrnoException.class, () -> handOver.attach(fd));
        assertEquals(Errno.EPROTOTYPE, e.errno(), e.getMessage());
        assertEquals(List.of(), steered);
        Fd.fcntl(fd, Fd.F_GETFD, 0, "fcntl(F_GETFD)"); // throws EBADF if the refusal closed it
    }
}

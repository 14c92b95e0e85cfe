package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UdpSocketTest {

    @Test
    void ipv4DatagramRoundTripWithSourceAddress() throws Exception {
        roundTrip(OpenFds.LOOPBACK4);
    }

    @Test
    void ipv6DatagramRoundTripWithSourceAddress() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        try (OpenFds fds = new OpenFds()) {
            int probe = fds.add(Sockets.udp(v6));
            SockOpt.setV6Only(probe, true);
            assertEquals(1, SockOpt.getInt(probe, Sockets.IPPROTO_IPV6, SockOpt.IPV6_V6ONLY, "IPV6_V6ONLY"));
            try {
                Sockets.bind(probe, v6);
            } catch (ErrnoException e) {
                Assumptions.assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            }
        }
        roundTrip(v6);
    }

    private static void roundTrip(InetSocketAddress bindTo) throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int rx = fds.udpBound(bindTo);
            int tx = fds.udpBound(bindTo);
            InetSocketAddress rxAddr = Sockets.localAddress(rx);
            InetSocketAddress txAddr = Sockets.localAddress(tx);
            assertNotEquals(0, rxAddr.getPort());
            assertEquals(bindTo.getAddress(), rxAddr.getAddress());

            MemorySegment dst = SockAddr.allocate(arena, rxAddr);
            MemorySegment out = arena.allocateFrom(JAVA_BYTE, "hello".getBytes());
            assertEquals(5, Sockets.sendTo(tx, out.address(), 5, 0, dst.address(), (int) dst.byteSize()));

            assertTrue(Poll.waitFor(rx, Poll.POLLIN, 2000), "datagram did not arrive");
            MemorySegment in = arena.allocate(64);
            MemorySegment src = arena.allocate(SockAddr.SOCKADDR_STORAGE);
            MemorySegment srcLen = arena.allocateFrom(JAVA_INT, (int) src.byteSize());
            assertEquals(5, Sockets.recvFrom(rx, in.address(), 64, 0, src.address(), srcLen.address()));
            assertEquals("hello", new String(in.asSlice(0, 5).toArray(JAVA_BYTE)));
            assertEquals(txAddr, SockAddr.decode(src, 0));
            assertEquals(SockAddr.length(src, 0), srcLen.get(JAVA_INT, 0));
        }
    }

    /**
     * SO_MEMINFO's drop count is exact: with a small receive buffer and nobody reading, every
     * datagram sent over loopback was either kept or counted as dropped at the socket.
     */
    @Test
    void receiveDropsCountWhatAFullReceiveBufferTurnedAway() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int rx = fds.udpBound(OpenFds.LOOPBACK4);
            SockOpt.setInt(rx, SockOpt.SOL_SOCKET, SockOpt.SO_RCVBUF, 16 << 10, "SO_RCVBUF");
            int tx = fds.udpBound(OpenFds.LOOPBACK4);
            assertEquals(0, SockOpt.receiveDrops(rx));
            MemorySegment dst = SockAddr.allocate(arena, Sockets.localAddress(rx));
            MemorySegment buf = arena.allocate(1000);
            long backlogBefore = backlogDrops();
            int sent = 0;
            for (int i = 0; i < 500; i++) {
                if (Sockets.sendTo(tx, buf.address(), 1000, 0, dst.address(), (int) dst.byteSize()) == 1000) {
                    sent++;
                }
            }
            int received = 0;
            for (int idle = 0; idle < 5; ) { // until empty for 50 ms: loopback may still be delivering
                if (Sockets.recvFrom(rx, buf.address(), 1000, 0, 0, 0) == 1000) {
                    received++;
                    idle = 0;
                } else {
                    idle++;
                    Thread.sleep(10);
                }
            }
            long drops = SockOpt.receiveDrops(rx);
            String what = sent + " sent, " + received + " received, " + drops + " dropped";
            assertTrue(sent > 400 && received > 0 && drops > 0, what);
            // Exact but for a full input backlog before the socket (a loaded machine's ksoftirqd), which the kernel counts.
            long missing = sent - received - drops;
            assertTrue(missing >= 0 && missing <= backlogDrops() - backlogBefore,
                    what + ": every datagram sent was received or counted as dropped");
        }
    }

    /** Packets the kernel dropped because a CPU's input backlog was full (/proc/net/softnet_stat, column 2). */
    private static long backlogDrops() throws java.io.IOException {
        long n = 0;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/softnet_stat"))) {
            n += Long.parseLong(line.trim().split("\\s+")[1], 16);
        }
        return n;
    }

    @Test
    void connectedSocketSendsWithoutAddressAndKnowsItsPeer() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int rx = fds.udpBound(OpenFds.LOOPBACK4);
            int tx = fds.udpBound(OpenFds.LOOPBACK4);
            assertTrue(Sockets.connect(tx, Sockets.localAddress(rx)));
            assertEquals(Sockets.localAddress(rx), Sockets.remoteAddress(tx));
            MemorySegment buf = arena.allocate(16);
            assertEquals(16, Sockets.sendTo(tx, buf.address(), 16, 0, 0, 0));
            assertTrue(Poll.waitFor(rx, Poll.POLLIN, 2000));
            assertEquals(16, Sockets.recvFrom(rx, buf.address(), 16, 0, 0, 0));
        }
    }

    @Test
    void bindConflictNamesCallAddressAndReason() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int a = fds.udpBound(OpenFds.LOOPBACK4);
            InetSocketAddress taken = Sockets.localAddress(a);
            int b = fds.add(Sockets.udp(taken));
            ErrnoException e = assertThrows(ErrnoException.class, () -> Sockets.bind(b, taken));
            assertEquals(Errno.EADDRINUSE, e.errno());
            assertEquals("bind(127.0.0.1:" + taken.getPort() + "): Address already in use", e.getMessage());
        }
    }

    @Test
    void emptyNonBlockingSocketReturnsMinusOneInsteadOfThrowing() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int fd = fds.udpBound(OpenFds.LOOPBACK4);
            assertTrue(Fd.isNonBlocking(fd));
            MemorySegment buf = arena.allocate(16);
            assertEquals(-1, Sockets.recvFrom(fd, buf.address(), 16, 0, 0, 0));
            assertEquals(Errno.EAGAIN, Errno.get(Errno.state()));
        }
    }

    @Test
    void fcntlTogglesNonBlocking() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int fd = fds.add(Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM, 0));
            assertFalse(Fd.isNonBlocking(fd));
            Fd.setNonBlocking(fd, true);
            assertTrue(Fd.isNonBlocking(fd));
            Fd.setNonBlocking(fd, false);
            assertFalse(Fd.isNonBlocking(fd));
        }
    }

    @Test
    void socketOptionsReadBackWhatWasSet() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int fd = fds.add(Sockets.udp(OpenFds.LOOPBACK4));
            assertFalse(SockOpt.reusePortEnabled(fd));
            SockOpt.setReusePort(fd, true);
            assertTrue(SockOpt.reusePortEnabled(fd));
            SockOpt.setReuseAddr(fd, true);
            assertEquals(1, SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_REUSEADDR, "SO_REUSEADDR"));
            SockOpt.setPacketInfo(fd, true);
            assertEquals(1, SockOpt.getInt(fd, Sockets.IPPROTO_IP, SockOpt.IP_PKTINFO, "IP_PKTINFO"));
            assertEquals(Sockets.SOCK_DGRAM, SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_TYPE, "SO_TYPE"));
            assertEquals(Sockets.AF_INET, SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_DOMAIN, "SO_DOMAIN"));
            // The kernel doubles the request for its bookkeeping; without CAP_NET_ADMIN it caps
            // at rmem_max, so only "at least what a default socket has" is portable.
            int granted = SockOpt.setReceiveBuffer(fd, 1 << 20);
            int sent = SockOpt.setSendBuffer(fd, 1 << 20);
            if (ProcessIds.euid() == 0) {
                assertEquals(2 << 20, granted);
                assertEquals(2 << 20, sent);
            } else {
                assertTrue(granted > 0 && sent > 0);
            }
            assertEquals(0, SockOpt.pendingError(fd));
        }
    }

    @Test
    void pollTimesOutThenSeesADatagram() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined(); Poll poll = new Poll(2)) {
            int rx = fds.udpBound(OpenFds.LOOPBACK4);
            int tx = fds.udpBound(OpenFds.LOOPBACK4);
            poll.set(0, rx, Poll.POLLIN);
            long t0 = System.nanoTime();
            assertEquals(0, poll.await(50));
            assertTrue(System.nanoTime() - t0 >= 40_000_000L, "poll returned before its timeout");
            MemorySegment dst = SockAddr.allocate(arena, Sockets.localAddress(rx));
            MemorySegment buf = arena.allocate(8);
            Sockets.sendTo(tx, buf.address(), 8, 0, dst.address(), (int) dst.byteSize());
            assertEquals(1, poll.await(2000));
            assertTrue(poll.readable(0));
            assertEquals(0, poll.revents(1)); // the unused entry (fd -1) is ignored
        }
    }

    @Test
    void closingTwiceReportsBadFileDescriptor() throws Exception {
        int fd = Sockets.udp(OpenFds.LOOPBACK4);
        Fd.close(fd);
        ErrnoException e = assertThrows(ErrnoException.class, () -> Fd.close(fd));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close(" + fd + "): Bad file descriptor", e.getMessage());
    }

    @Test
    void dupRefersToTheSameSocket() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int fd = fds.udpBound(OpenFds.LOOPBACK4);
            int copy = fds.add(Fd.dup(fd));
            assertNotEquals(fd, copy);
            assertEquals(Sockets.localAddress(fd), Sockets.localAddress(copy));
            int plain = fds.add(Fd.dupInheritable(fd));
            assertEquals(0, Fd.fcntl(plain, Fd.F_GETFD, 0, "F_GETFD") & Fd.FD_CLOEXEC);
            assertEquals(Fd.FD_CLOEXEC, Fd.fcntl(copy, Fd.F_GETFD, 0, "F_GETFD") & Fd.FD_CLOEXEC);
        }
    }

    /** The TUN fast path is read/write per packet: it must not allocate either. */
    @Test
    void readAndWriteAllocateNothingInSteadyState() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int a = fds.udpBound(OpenFds.LOOPBACK4);
            int b = fds.udpBound(OpenFds.LOOPBACK4);
            Sockets.connect(a, Sockets.localAddress(b));
            Sockets.connect(b, Sockets.localAddress(a));
            MemorySegment buf = arena.allocate(2048);
            long[] sink = new long[1];
            readWrite(a, b, buf.address(), 5_000, sink);
            long before = threads.getCurrentThreadAllocatedBytes();
            readWrite(a, b, buf.address(), 10_000, sink);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(sink[0] > 0);
            assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes in 10k packets");
        }
    }

    private static void readWrite(int a, int b, long buf, int packets, long[] sink) throws ErrnoException {
        for (int i = 0; i < packets; i++) {
            sink[0] += Fd.write(a, buf, 64);
            sink[0] += Fd.read(b, buf, 2048);
        }
    }
}

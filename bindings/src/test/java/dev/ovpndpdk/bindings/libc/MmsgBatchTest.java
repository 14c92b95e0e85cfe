package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MmsgBatchTest {

    private static final int BURST = 32;
    private static final int BUF = 2048;

    /** A slab of BURST buffers of BUF bytes, as a worker would own. */
    private static MemorySegment slab(Arena arena) {
        return arena.allocate((long) BURST * BUF, 64);
    }

    private static void pointAt(MmsgBatch batch, MemorySegment slab, int length) {
        for (int i = 0; i < batch.capacity(); i++) {
            batch.setBuffer(i, slab.address() + (long) i * BUF, length);
        }
    }

    /** Receives until {@code expected} datagrams arrived into {@code batch} (bounded wait). */
    private static int receiveAll(MmsgBatch batch, int fd, int expected) throws Exception {
        int got = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (got == 0 && System.nanoTime() < deadline) {
            Poll.waitFor(fd, Poll.POLLIN, 100);
            got = batch.receive(fd, batch.capacity(), Sockets.MSG_DONTWAIT);
        }
        assertEquals(expected, got);
        return got;
    }

    @Test
    void ipv4BurstArrivesWithLengthsPayloadsAndSource() throws Exception {
        burst(OpenFds.LOOPBACK4);
    }

    @Test
    void ipv6BurstArrivesWithLengthsPayloadsAndSource() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        try (OpenFds fds = new OpenFds()) {
            try {
                fds.udpBound(v6);
            } catch (ErrnoException e) {
                Assumptions.assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            }
        }
        burst(v6);
    }

    private static void burst(InetSocketAddress bindTo) throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch tx = new MmsgBatch(BURST); MmsgBatch rx = new MmsgBatch(BURST)) {
            int rxFd = fds.udpBound(bindTo);
            int txFd = fds.udpBound(bindTo);
            InetSocketAddress rxAddr = Sockets.localAddress(rxFd);
            MemorySegment out = slab(arena);
            MemorySegment in = slab(arena);
            for (int i = 0; i < BURST; i++) {
                out.asSlice((long) i * BUF, 100 + i).fill((byte) i);
                tx.setBuffer(i, out.address() + (long) i * BUF, 100 + i);
                tx.setDestination(i, rxAddr);
            }
            assertEquals(BURST, tx.send(txFd, 0, BURST, 0));
            pointAt(rx, in, BUF);
            receiveAll(rx, rxFd, BURST);
            InetSocketAddress txAddr = Sockets.localAddress(txFd);
            for (int i = 0; i < BURST; i++) {
                assertEquals(100 + i, rx.length(i));
                assertEquals((byte) i, in.get(JAVA_BYTE, (long) i * BUF + 99 + i));
                assertEquals(txAddr, rx.source(i));
                assertEquals(txAddr.getPort(), rx.sourcePort(i));
                assertEquals(bindTo.getAddress() instanceof java.net.Inet6Address ? Sockets.AF_INET6 : Sockets.AF_INET,
                        rx.sourceFamily(i));
                assertEquals(0, rx.messageFlags(i));
            }
        }
    }

    @Test
    void receivedSlotsReplyInPlaceToTheirSources() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch a = new MmsgBatch(BURST); MmsgBatch b = new MmsgBatch(BURST)) {
            int server = fds.udpBound(OpenFds.LOOPBACK4);
            int client1 = fds.udpBound(OpenFds.LOOPBACK4);
            int client2 = fds.udpBound(OpenFds.LOOPBACK4);
            MemorySegment buf = slab(arena);
            MemorySegment dst = SockAddr.allocate(arena, Sockets.localAddress(server));
            Sockets.sendTo(client1, buf.address(), 10, 0, dst.address(), (int) dst.byteSize());
            Sockets.sendTo(client2, buf.address(), 20, 0, dst.address(), (int) dst.byteSize());
            pointAt(a, buf, BUF);
            receiveAll(a, server, 2);
            // Echo: lengths from the receive, destinations are the sources the kernel wrote.
            a.setLength(0, a.length(0));
            a.setLength(1, a.length(1));
            assertEquals(2, a.send(server, 0, 2, 0));
            MemorySegment back = slab(arena);
            pointAt(b, back, BUF);
            receiveAll(b, client1, 1);
            assertEquals(10, b.length(0));
            receiveAll(b, client2, 1);
            assertEquals(20, b.length(0));
        }
    }

    @Test
    void nothingQueuedReturnsZeroWithoutException() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined(); MmsgBatch rx = new MmsgBatch(8)) {
            int fd = fds.udpBound(OpenFds.LOOPBACK4);
            pointAt(rx, slab(arena), BUF);
            assertEquals(0, rx.receive(fd, 8, Sockets.MSG_DONTWAIT));
            assertEquals(Errno.EAGAIN, rx.lastErrno());
        }
    }

    @Test
    void aPersistentReceiveErrorSurfacesWithinTheErrnoSample() throws Exception {
        try (Arena arena = Arena.ofConfined(); MmsgBatch rx = new MmsgBatch(8)) {
            pointAt(rx, slab(arena), BUF);
            int closed = Sockets.udp(OpenFds.LOOPBACK4);
            Fd.close(closed); // a bad fd: EBADF on every call
            ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class, () -> {
                for (int i = 0; i < MmsgBatch.ERRNO_SAMPLE; i++) {
                    rx.receive(closed, 8, Sockets.MSG_DONTWAIT);
                }
            });
            assertEquals(Errno.EBADF, e.errno());
        }
    }

    @Test
    void refusedDatagramIsReportedAsNegativeErrnoAndTheRestStillGoes() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined(); MmsgBatch tx = new MmsgBatch(4);
                MmsgBatch rx = new MmsgBatch(4)) {
            int rxFd = fds.udpBound(OpenFds.LOOPBACK4);
            int txFd = fds.udpBound(OpenFds.LOOPBACK4);
            MemorySegment buf = slab(arena);
            pointAt(tx, buf, 8);
            // An IPv6 destination on an IPv4 socket: the kernel refuses that one datagram.
            tx.setDestination(0, new InetSocketAddress(InetAddress.getByName("::1"), 9));
            tx.setDestination(1, Sockets.localAddress(rxFd));
            tx.setDestination(2, Sockets.localAddress(rxFd));
            assertEquals(-Errno.EAFNOSUPPORT, tx.send(txFd, 0, 3, 0));
            assertEquals(Errno.EAFNOSUPPORT, tx.lastErrno());
            assertEquals(2, tx.send(txFd, 1, 2, 0));
            pointAt(rx, slab(arena), BUF);
            receiveAll(rx, rxFd, 2);
        }
    }

    @Test
    void tooSmallBufferIsFlaggedTruncated() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined(); MmsgBatch rx = new MmsgBatch(1)) {
            int rxFd = fds.udpBound(OpenFds.LOOPBACK4);
            int txFd = fds.udpBound(OpenFds.LOOPBACK4);
            MemorySegment buf = slab(arena);
            MemorySegment dst = SockAddr.allocate(arena, Sockets.localAddress(rxFd));
            Sockets.sendTo(txFd, buf.address(), 300, 0, dst.address(), (int) dst.byteSize());
            pointAt(rx, buf, 100);
            receiveAll(rx, rxFd, 1);
            assertEquals(100, rx.length(0));
            assertEquals(Sockets.MSG_TRUNC, rx.messageFlags(0) & Sockets.MSG_TRUNC);
        }
    }

    @Test
    void gatheredSlotsLeaveAsOneDatagramInSlotOrder() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch tx = new MmsgBatch(3); MmsgBatch rx = new MmsgBatch(1)) {
            int rxFd = fds.udpBound(OpenFds.LOOPBACK4);
            int txFd = fds.udpBound(OpenFds.LOOPBACK4);
            MemorySegment out = slab(arena);
            for (int i = 0; i < 3; i++) {
                out.asSlice((long) i * BUF, 10 * (i + 1)).fill((byte) (i + 1));
                tx.setBuffer(i, out.address() + (long) i * BUF, 10 * (i + 1));
            }
            tx.setDestination(0, Sockets.localAddress(rxFd));
            MemorySegment in = slab(arena);
            pointAt(rx, in, BUF);

            tx.setGather(0, 0, 3);
            assertEquals(1, tx.send(txFd, 0, 1, 0));
            receiveAll(rx, rxFd, 1);
            assertEquals(60, rx.length(0));
            for (int b = 0; b < 60; b++) {
                assertEquals(b < 10 ? 1 : b < 30 ? 2 : 3, in.get(JAVA_BYTE, b), "byte " + b);
            }

            tx.setGather(0, 0, 1); // back to slot 0's own buffer
            assertEquals(1, tx.send(txFd, 0, 1, 0));
            receiveAll(rx, rxFd, 1);
            assertEquals(10, rx.length(0));
        }
    }

    @Test
    void gsoSendIsReceivedWholeWithGroAndSplitWithout() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch tx = new MmsgBatch(1, (int) MsgHdr.CMSG_SPACE(4));
                MmsgBatch rx = new MmsgBatch(4, (int) MsgHdr.CMSG_SPACE(4))) {
            int groFd = fds.udpBound(OpenFds.LOOPBACK4);
            int plainFd = fds.udpBound(OpenFds.LOOPBACK4);
            int txFd = fds.udpBound(OpenFds.LOOPBACK4);
            try {
                SockOpt.setUdpGro(groFd, true);
            } catch (ErrnoException e) {
                Assumptions.assumeTrue(false, "kernel without UDP_GRO: " + e.getMessage());
            }
            MemorySegment buf = slab(arena);
            tx.setBuffer(0, buf.address(), 300);
            tx.setSegmentSize(0, 100);
            pointAt(rx, slab(arena), BUF);

            tx.setDestination(0, Sockets.localAddress(groFd));
            int sent = tx.send(txFd, 0, 1, 0);
            Assumptions.assumeTrue(sent == 1, "kernel without UDP GSO: errno " + tx.lastErrno());
            receiveAll(rx, groFd, 1);
            assertEquals(300, rx.length(0));
            assertEquals(100, rx.receivedSegmentSize(0));

            tx.setDestination(0, Sockets.localAddress(plainFd));
            assertEquals(1, tx.send(txFd, 0, 1, 0));
            int got = 0;
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (got < 3 && System.nanoTime() < deadline) {
                Poll.waitFor(plainFd, Poll.POLLIN, 100);
                got += rx.receive(plainFd, 3 - got, Sockets.MSG_DONTWAIT);
            }
            assertEquals(3, got);
        }
    }

    /**
     * --multihome: from a socket bound to a wildcard address, each datagram leaves from the
     * address its slot names (127.0.0.2 and 127.0.0.3 are loopback addresses too), on an IPv4
     * socket (IP_PKTINFO) and a dual-stack IPv6 one (IPV6_PKTINFO, v4-mapped), also as a GSO
     * train; a slot without one leaves from the kernel's choice.
     */
    @Test
    void eachDatagramLeavesFromTheSourceItsSlotNames() throws Exception {
        int two = 0x7F000002;
        int three = 0x7F000003;
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch tx = new MmsgBatch(3, (int) (MsgHdr.CMSG_SPACE(20) + MsgHdr.CMSG_SPACE(2)));
                MmsgBatch rx = new MmsgBatch(8)) {
            int to = fds.udpBound(OpenFds.LOOPBACK4);
            int v4 = fds.udpBound(new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0));
            int v6 = fds.add(Sockets.udp(new InetSocketAddress(InetAddress.ofLiteral("::"), 0)));
            SockOpt.setV6Only(v6, false);
            Sockets.bind(v6, new InetSocketAddress(InetAddress.ofLiteral("::"), 0));
            MemorySegment buf = slab(arena);
            pointAt(tx, buf, 100);
            pointAt(rx, slab(arena), BUF);
            InetSocketAddress dst = Sockets.localAddress(to);
            InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByAddress(
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1}), dst.getPort());
            for (int socket : new int[] {v4, v6}) {
                boolean v6Socket = socket == v6;
                for (int i = 0; i < 3; i++) {
                    tx.setDestination(i, v6Socket ? mapped : dst);
                }
                tx.setSource(0, v6Socket, false, 0, two);
                tx.setSource(1, v6Socket, false, 0, 0); // the kernel's choice: 127.0.0.1
                tx.setSource(2, v6Socket, false, 0, three);
                tx.setBuffer(2, buf.address(), 300);
                tx.setSegmentSize(2, 100); // three datagrams, all from 127.0.0.3
                int sent = tx.send(socket, 0, 3, 0);
                assertEquals(3, sent, "errno " + tx.lastErrno());
                java.util.List<Integer> sources = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (sources.size() < 5 && System.nanoTime() < deadline) {
                    Poll.waitFor(to, Poll.POLLIN, 100);
                    int n = rx.receive(to, 5 - sources.size(), Sockets.MSG_DONTWAIT);
                    for (int k = 0; k < n; k++) {
                        sources.add(rx.sourceIpv4(k));
                    }
                }
                assertEquals(java.util.List.of(two, 0x7F000001, three, three, three), sources, v6Socket ? "IPv6 socket" : "IPv4 socket");
                tx.setBuffer(2, buf.address(), 100);
                tx.setSegmentSize(2, 0);
            }
        }
    }

    @Test
    void steadyStateBurstsAllocateNothing() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined();
                MmsgBatch tx = new MmsgBatch(BURST); MmsgBatch rx = new MmsgBatch(BURST)) {
            int rxFd = fds.udpBound(OpenFds.LOOPBACK4);
            int txFd = fds.udpBound(OpenFds.LOOPBACK4);
            SockOpt.setReceiveBuffer(rxFd, 4 << 20);
            InetSocketAddress rxAddr = Sockets.localAddress(rxFd);
            int ip = 0x7f000001; // 127.0.0.1, the address rxFd is bound to
            MemorySegment out = slab(arena);
            MemorySegment in = slab(arena);
            pointAt(tx, out, 64);
            pointAt(rx, in, BUF);
            for (int i = 0; i < BURST; i++) {
                tx.setDestinationIpv4(i, ip, rxAddr.getPort());
            }
            long[] sink = new long[1];
            runBursts(tx, rx, txFd, rxFd, 5_000, sink); // let the JIT compile the loop
            long before = threads.getCurrentThreadAllocatedBytes();
            runBursts(tx, rx, txFd, rxFd, 10_000, sink);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(sink[0] > 0);
            // A small constant covers the counter reads themselves and one-off JIT artefacts;
            // one object per burst would already be >= 160 KB here.
            assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes in 10k bursts");
        }
    }

    private static void runBursts(MmsgBatch tx, MmsgBatch rx, int txFd, int rxFd, int bursts, long[] sink)
            throws ErrnoException {
        for (int b = 0; b < bursts; b++) {
            int sent = tx.send(txFd, 0, BURST, 0);
            int received = 0;
            // Loopback delivers synchronously inside sendmmsg, so this loop rarely spins.
            for (int spins = 0; received < sent && spins < 1_000_000; spins++) {
                received += rx.receive(rxFd, BURST, Sockets.MSG_DONTWAIT);
            }
            for (int i = 0; i < received && i < BURST; i++) {
                sink[0] += rx.length(i) + rx.sourcePort(i);
            }
        }
    }
}

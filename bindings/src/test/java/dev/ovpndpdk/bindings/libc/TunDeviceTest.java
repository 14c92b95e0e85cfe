package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real multiqueue TUN device in the current namespace: root only. Every test closes its
 * device, which (not persistent) removes it.
 */
@Timeout(15)
class TunDeviceTest {

    @BeforeAll
    static void needsRootAndTun() {
        Assumptions.assumeTrue(Files.exists(Path.of(TunDevice.CLONE_DEVICE)), "no " + TunDevice.CLONE_DEVICE);
        Assumptions.assumeTrue(ProcessIds.euid() == 0, "TUN tests need root (CAP_NET_ADMIN)");
    }

    private static String freshName() {
        return "ovt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    @Test
    void multiqueueDeviceHasOneNonBlockingFdPerQueueAndVanishesOnClose() throws Exception {
        String name = freshName();
        try (TunDevice tun = TunDevice.open(name, 2)) {
            assertEquals(name, tun.name());
            assertEquals(2, tun.queues());
            assertNotEquals(tun.fd(0), tun.fd(1));
            for (int q = 0; q < 2; q++) {
                assertTrue(Fd.isNonBlocking(tun.fd(q)));
                int flags = tun.flags(q);
                assertEquals(TunDevice.IFF_TUN | TunDevice.IFF_NO_PI | TunDevice.IFF_MULTI_QUEUE,
                        flags & (TunDevice.IFF_TUN | TunDevice.IFF_TAP | TunDevice.IFF_NO_PI | TunDevice.IFF_MULTI_QUEUE));
            }
            assertTrue(Files.exists(Path.of("/sys/class/net", name)));
            NetDevice.setMtu(name, 1420);
            assertEquals(1420, NetDevice.mtu(name));
            assertEquals(0, NetDevice.flags(name) & NetDevice.IFF_UP);
            try (Arena arena = Arena.ofConfined()) {
                // Still down, so the kernel has queued nothing (once up, it sends IPv6 RS/MLD).
                MemorySegment buf = arena.allocate(2048);
                assertEquals(-1, Fd.read(tun.fd(0), buf.address(), 2048), "EAGAIN is -1, not an exception");
            }
            NetDevice.setUp(name, true);
            assertEquals(NetDevice.IFF_UP, NetDevice.flags(name) & NetDevice.IFF_UP);
            assertTrue(NetDevice.index(name) > 0);
        }
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "device left behind");
    }

    @Test
    void vnetHeaderDeviceTakesOffloadsAndPlainOneRefusesThem() throws Exception {
        try (TunDevice tun = TunDevice.open(freshName(), 1, true)) {
            assertTrue(tun.vnetHdr());
            assertEquals(TunDevice.IFF_VNET_HDR, tun.flags(0) & TunDevice.IFF_VNET_HDR);
            tun.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
            tun.setOffload(0);
        }
        try (TunDevice tun = TunDevice.open(freshName(), 1)) {
            assertFalse(tun.vnetHdr());
            assertEquals(0, tun.flags(0) & TunDevice.IFF_VNET_HDR);
            assertThrows(IllegalStateException.class, () -> tun.setOffload(TunDevice.TUN_F_CSUM));
        }
    }

    @Test
    void packetsFlowBothWaysBetweenQueuesAndHostSockets() throws Exception {
        String name = freshName();
        int subnet = ThreadLocalRandom.current().nextInt(1, 255);
        InetAddress local = InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) subnet, 1});
        InetAddress remote = InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) subnet, 2});
        try (TunDevice tun = TunDevice.open(name, 2); OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            NetDevice.setUp(name, true);
            ip("addr", "add", local.getHostAddress() + "/24", "dev", name);

            // Into the tunnel: a packet written on queue 1 reaches a host socket on the tun address.
            int host = fds.udpBound(new InetSocketAddress(local, 0));
            int hostPort = Sockets.localAddress(host).getPort();
            byte[] payload = "from the tunnel".getBytes(StandardCharsets.US_ASCII);
            byte[] header = ipv4UdpHeader(remote, 5555, local, hostPort, payload.length);
            MemorySegment hdr = arena.allocateFrom(JAVA_BYTE, header);
            MemorySegment body = arena.allocateFrom(JAVA_BYTE, payload);
            MemorySegment iov = arena.allocate(MsgHdr.IOVEC, 2);
            iov.set(JAVA_LONG, MsgHdr.IOV_BASE, hdr.address());
            iov.set(JAVA_LONG, MsgHdr.IOV_LEN, header.length);
            iov.set(JAVA_LONG, MsgHdr.IOVEC.byteSize() + MsgHdr.IOV_BASE, body.address());
            iov.set(JAVA_LONG, MsgHdr.IOVEC.byteSize() + MsgHdr.IOV_LEN, payload.length);
            assertEquals(header.length + payload.length, Fd.writev(tun.fd(1), iov.address(), 2));
            assertTrue(Poll.waitFor(host, Poll.POLLIN, 2000), "packet written to the tun never reached the socket");
            MemorySegment buf = arena.allocate(2048);
            MemorySegment src = arena.allocate(SockAddr.SOCKADDR_STORAGE);
            MemorySegment srcLen = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 128);
            int n = Sockets.recvFrom(host, buf.address(), 2048, 0, src.address(), srcLen.address());
            assertArrayEquals(payload, buf.asSlice(0, n).toArray(JAVA_BYTE));
            assertEquals(new InetSocketAddress(remote, 5555), SockAddr.decode(src, 0));

            // Out of the tunnel: a datagram routed to the tun's subnet is read from one of the queues.
            byte[] out = "to the tunnel".getBytes(StandardCharsets.US_ASCII);
            MemorySegment outSeg = arena.allocateFrom(JAVA_BYTE, out);
            MemorySegment dst = SockAddr.allocate(arena, new InetSocketAddress(remote, 7777));
            assertEquals(out.length, Sockets.sendTo(host, outSeg.address(), out.length, 0, dst.address(),
                    (int) dst.byteSize()));
            byte[] packet = readUdpTo(tun, remote, 7777, buf);
            assertEquals(28 + out.length, packet.length);
            assertArrayEquals(local.getAddress(), Arrays.copyOfRange(packet, 12, 16));
            assertEquals(hostPort, ((packet[20] & 0xff) << 8) | (packet[21] & 0xff));
            assertArrayEquals(out, Arrays.copyOfRange(packet, 28, packet.length));
        }
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "device left behind");
    }

    /**
     * Packets routed into a TUN device whose queues nobody reads are dropped by the kernel and
     * counted as the device's {@code tx_dropped}, which {@link NetDevice#statistic} reads (the
     * socket backend's {@code socket_tun_rx_queue_drops}): every datagram sent was read from a
     * queue or counted there. IPv6 is off on the device so that no packet of the kernel's own
     * (router solicitations, MLD) is among them.
     */
    @Test
    void txDroppedCountsWhatFullQueuesTurnedAway() throws Exception {
        String name = freshName();
        int subnet = ThreadLocalRandom.current().nextInt(1, 255);
        InetAddress local = InetAddress.getByAddress(new byte[] {(byte) 198, 19, (byte) subnet, 1});
        InetAddress remote = InetAddress.getByAddress(new byte[] {(byte) 198, 19, (byte) subnet, 2});
        try (TunDevice tun = TunDevice.open(name, 2); OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            Files.writeString(Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1");
            NetDevice.setUp(name, true);
            ip("addr", "add", local.getHostAddress() + "/24", "dev", name);
            long before = NetDevice.statistic(name, "tx_dropped");
            assertTrue(before >= 0, "tx_dropped readable");
            assertEquals(-1, NetDevice.statistic(name, "no_such_counter"));
            assertEquals(-1, NetDevice.statistic(name + "x", "tx_dropped"));

            int host = fds.udpBound(new InetSocketAddress(local, 0));
            MemorySegment buf = arena.allocate(2048);
            MemorySegment dst = SockAddr.allocate(arena, new InetSocketAddress(remote, 7777));
            int attempts = 3000;
            for (int i = 0; i < attempts; i++) {
                Sockets.sendTo(host, buf.address(), 100, 0, dst.address(), (int) dst.byteSize()); // -1 (ENOBUFS) once full
            }
            int read = 0;
            for (int q = 0; q < 2; q++) {
                while (Fd.read(tun.fd(q), buf.address(), (int) buf.byteSize()) > 0) {
                    read++;
                }
            }
            long dropped = NetDevice.statistic(name, "tx_dropped") - before;
            assertTrue(dropped > 0 && read > 0, read + " read, " + dropped + " dropped");
            assertEquals(attempts, read + dropped, "every datagram was read from a queue or counted as dropped");
        }
    }

    /**
     * Reads both queues until the IPv4/UDP packet to {@code dst}:{@code port} shows up; the
     * kernel also sends its own traffic (IPv6 router solicitations, MLD) into a fresh device.
     */
    private static byte[] readUdpTo(TunDevice tun, InetAddress dst, int port, MemorySegment buf) throws Exception {
        try (Poll poll = new Poll(2)) {
            poll.set(0, tun.fd(0), Poll.POLLIN);
            poll.set(1, tun.fd(1), Poll.POLLIN);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline) {
                poll.await(100);
                for (int q = 0; q < 2; q++) {
                    int n;
                    while ((n = Fd.read(tun.fd(q), buf.address(), (int) buf.byteSize())) > 0) {
                        byte[] p = buf.asSlice(0, n).toArray(JAVA_BYTE);
                        if (n >= 28 && (p[0] & 0xf0) == 0x40 && p[9] == 17
                                && Arrays.equals(Arrays.copyOfRange(p, 16, 20), dst.getAddress())
                                && (((p[22] & 0xff) << 8) | (p[23] & 0xff)) == port) {
                            return p;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no packet to " + dst + ":" + port + " on any queue");
    }

    /** 20-byte IPv4 header (checksummed) + 8-byte UDP header (checksum 0: allowed for IPv4). */
    private static byte[] ipv4UdpHeader(InetAddress src, int srcPort, InetAddress dst, int dstPort, int payload) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload));
        b.putShort((short) 1).putShort((short) 0x4000); // id, DF
        b.put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(src.getAddress()).put(dst.getAddress());
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(10, (short) ~sum);
        b.position(20);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + output);
    }
}

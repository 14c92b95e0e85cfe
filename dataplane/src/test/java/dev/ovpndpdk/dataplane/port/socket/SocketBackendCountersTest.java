package dev.ovpndpdk.dataplane.port.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ovpndpdk.bindings.libc.ProcessIds;
import dev.ovpndpdk.dataplane.port.PacketBatch;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * The socket backend's GET_STATS counters ({@code socket_*}) against drops made to happen: a
 * datagram longer than a packet buffer, and a flood into a worker socket nobody reads, which
 * the kernel drops once the receive buffer is full. Every datagram sent must be received or
 * counted. Creates a TUN device: root only.
 */
@Timeout(60)
class SocketBackendCountersTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void needsRoot() {
        assumeTrue(ProcessIds.euid() == 0, "not root: the socket backend test that creates a TUN device is skipped");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun: the socket backend test is skipped");
    }

    @ParameterizedTest
    @EnumSource(value = TunOffload.class, names = {"ON", "OFF"}) // UDP GRO receive path and the plain one
    void dropsAreCountedAndNothingGoesMissing(TunOffload offload) throws Exception {
        String tun = "ovc" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        int port = freeUdpPort();
        try (SocketBackend b = SocketBackend.open(tun, new InetSocketAddress(LOOPBACK, port), 1, 32, offload);
             DatagramChannel tx = DatagramChannel.open();
             Arena arena = Arena.ofConfined()) {
            tx.connect(new InetSocketAddress(LOOPBACK, port));
            PacketBatch batch = new PacketBatch(arena, 32, 2048);
            Map<String, Long> start = b.counters();
            assertEquals(0L, start.get("socket_wire_rx_queue_drops"));
            assertEquals(0L, start.get("socket_wire_rx_too_long_drops"));
            assertTrue(start.containsKey("socket_tun_rx_queue_drops"), "the TUN device's drops: " + start);
            assertTrue(start.keySet().stream().allMatch(k -> k.startsWith("socket_")), start.toString());

            // Longer than a packet buffer: dropped by the port, counted.
            tx.write(ByteBuffer.allocate(batch.maxPacket() + 100));
            tx.write(ByteBuffer.allocate(100));
            assertEquals(1, drain(b, batch, 1), "the short datagram, not the long one");
            assertEquals(1L, b.counters().get("socket_wire_rx_too_long_drops"));

            // A flood nobody reads: the kernel keeps what fits in the receive buffer and counts the rest.
            long backlogBefore = backlogDrops();
            int sent = 0;
            ByteBuffer d = ByteBuffer.allocate(1400);
            for (int i = 0; i < 20_000; i++) {
                d.clear();
                sent += tx.write(d) == 1400 ? 1 : 0;
            }
            int received = drain(b, batch, 0);
            long dropped = b.counters().get("socket_wire_rx_queue_drops");
            String what = sent + " sent, " + received + " received, " + dropped + " dropped";
            assertTrue(dropped > 0 && received > 0, what);
            // Exact, but for one place before the socket: a loaded machine may defer loopback's
            // receive to ksoftirqd, whose backlog can overflow (counted by the kernel, not by us).
            long missing = sent - received - dropped;
            assertTrue(missing >= 0 && missing <= backlogDrops() - backlogBefore,
                    what + ": every datagram sent was received or counted as dropped");
        }
    }

    /**
     * Receives until the socket stays empty for 50 ms (at least {@code atLeast} datagrams
     * first: loopback may still be delivering on a loaded machine); how many came.
     */
    private static int drain(SocketBackend b, PacketBatch batch, int atLeast) throws InterruptedException {
        int n = 0;
        int idle = 0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int got = b.wirePort(0).receive(batch);
            n += got;
            if (got > 0) {
                idle = 0;
            } else if (n >= atLeast && ++idle >= 5) {
                return n;
            } else {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("only " + n + " datagrams in 5 s");
    }

    /** Packets the kernel dropped because a CPU's input backlog was full (/proc/net/softnet_stat, column 2). */
    private static long backlogDrops() throws java.io.IOException {
        long n = 0;
        for (String line : Files.readAllLines(Path.of("/proc/net/softnet_stat"))) {
            n += Long.parseLong(line.trim().split("\\s+")[1], 16);
        }
        return n;
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(LOOPBACK, 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }
}

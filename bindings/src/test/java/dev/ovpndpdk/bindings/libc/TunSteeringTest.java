package dev.ovpndpdk.bindings.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TUN steering program on a real two-queue device (root): every packet to one
 * destination comes out of one queue, the one its address's last word picks, IPv4 and IPv6,
 * whether the program was set through our own queue or, as for DPDK's net_tun, through a
 * queue attached for the moment. The device gets test addresses (198.18.77.1/24, fd42:77::1/64)
 * and goes, with them, at the end.
 */
@Timeout(20)
class TunSteeringTest {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @BeforeAll
    static void needsRoot() {
        Assumptions.assumeTrue(Files.exists(Path.of(TunDevice.CLONE_DEVICE)), "no " + TunDevice.CLONE_DEVICE);
        Assumptions.assumeTrue(ProcessIds.euid() == 0, "TUN steering tests need root");
    }

    @Test
    void eachDestinationLeavesByTheQueueItsAddressPicks() throws Exception {
        steered(false);
    }

    @Test
    void aDeviceOfSomeoneElseIsSteeredThroughATemporaryQueue() throws Exception {
        steered(true);
    }

    private static void steered(boolean throughName) throws Exception {
        String name = "ovs" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        try (TunDevice tun = TunDevice.open(name, 2)) {
            if (throughName) {
                TunSteering.attachTo(name);
            } else {
                TunSteering.attach(tun.fd(0));
            }
            assertEquals(2, Files.list(Path.of("/sys/class/net", name, "queues")).filter(p -> p.getFileName().toString().startsWith("tx-")).count(),
                    "the temporary queue is gone again");
            NetDevice.setUp(name, true);
            ip("addr", "add", "198.18.77.1/24", "dev", name);
            ip("addr", "add", "fd42:77::1/64", "dev", name, "nodad");
            Map<Integer, Set<Integer>> queuesByLastByte = new HashMap<>();
            try (DatagramSocket s = new DatagramSocket(); Arena arena = Arena.ofConfined()) {
                for (int round = 0; round < 10; round++) {
                    for (int host = 2; host <= 9; host++) {
                        byte[] payload = {(byte) round};
                        s.send(new DatagramPacket(payload, 1, new InetSocketAddress("198.18.77." + host, 9000 + round)));
                        s.send(new DatagramPacket(payload, 1, new InetSocketAddress(InetAddress.getByName("fd42:77::" + host), 9000 + round)));
                    }
                }
                MemorySegment buf = arena.allocate(2048);
                long deadline = System.nanoTime() + 3_000_000_000L;
                int seen = 0;
                while (seen < 160 && System.nanoTime() < deadline) {
                    boolean any = false;
                    for (int q = 0; q < 2; q++) {
                        long n = Fd.read(tun.fd(q), buf.address(), 2048);
                        if (n <= 0) {
                            continue;
                        }
                        any = true;
                        int version = (buf.get(ValueLayout.JAVA_BYTE, 0) & 0xF0) >>> 4;
                        boolean udp = version == 4 ? buf.get(ValueLayout.JAVA_BYTE, 9) == 17 : buf.get(ValueLayout.JAVA_BYTE, 6) == 17;
                        if (!udp) {
                            continue; // the kernel's own IPv6 chatter (MLD, RS)
                        }
                        int last = buf.get(BE_INT, version == 4 ? 16 : 36);
                        queuesByLastByte.computeIfAbsent(last & 0xFF, k -> new HashSet<>()).add(q);
                        seen++;
                    }
                    if (!any) {
                        Thread.sleep(5);
                    }
                }
                assertEquals(160, seen, "every datagram came out of the device");
            }
            for (int host = 2; host <= 9; host++) {
                assertEquals(Set.of(host % 2), queuesByLastByte.get(host), "destination ." + host);
            }
        }
    }

    private static void ip(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor() == 0, String.join(" ", cmd) + ": " + out);
    }
}

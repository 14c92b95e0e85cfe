package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReuseportSteeringTest {

    private static byte[] data(int keyId, int peerId, int tag) {
        return new byte[] {(byte) (0x48 | keyId), (byte) (peerId >>> 16), (byte) (peerId >>> 8), (byte) peerId,
            0, 0, 0, (byte) tag};
    }

    @Test
    void programComputesWhatTheArchitectureSays() {
        Random random = new Random(42);
        for (int workers = 1; workers <= 5; workers++) {
            var program = ReuseportSteering.program(workers);
            for (int i = 0; i < 2000; i++) {
                byte[] payload = new byte[random.nextInt(12)];
                random.nextBytes(payload);
                if (payload.length > 0 && random.nextBoolean()) {
                    payload[0] = (byte) (0x48 | (payload[0] & 7)); // P_DATA_V2, any key-id
                }
                assertEquals(ReuseportSteering.expectedIndex(payload, workers), ClassicBpf.run(program, payload),
                        () -> HexFormat.of().formatHex(payload));
            }
            assertEquals(0xFFFFFF % workers + 1, ClassicBpf.run(program, data(7, 0xFFFFFF, 0)));
            assertEquals(0, ClassicBpf.run(program, new byte[] {0x48, 0, 0}), "short data packet");
            assertEquals(0, ClassicBpf.run(program, new byte[0]));
            assertEquals(0, ClassicBpf.run(program, new byte[] {0x38, 0, 0, 1}), "P_CONTROL_V1");
            assertEquals(0, ClassicBpf.run(program, new byte[] {0x30, 0, 0, 1}), "P_DATA_V1");
        }
    }

    @Test
    void kernelSteersDataByPeerIdAndEverythingElseToTheFirstSocket() throws Exception {
        try (OpenFds fds = new OpenFds(); Arena arena = Arena.ofConfined()) {
            int openvpn = fds.udpReusePort(OpenFds.LOOPBACK4);
            InetSocketAddress port = Sockets.localAddress(openvpn);
            ReuseportSteering.attach(openvpn, 2);
            int worker1 = fds.udpReusePort(port);
            int worker2 = fds.udpReusePort(port);
            int client = fds.udpBound(OpenFds.LOOPBACK4);
            int[] group = {openvpn, worker1, worker2};

            Map<String, Integer> expected = new HashMap<>();
            List<byte[]> payloads = new ArrayList<>();
            int tag = 0;
            for (int peerId : new int[] {0, 1, 2, 3, 0x123456, 0x123457, 0xFFFFFF}) {
                payloads.add(data(tag & 7, peerId, tag++));
            }
            payloads.add(new byte[] {0x38, 0, 0, 0, 0, 0, 0, (byte) tag++}); // P_CONTROL_V1, key 0
            payloads.add(new byte[] {0x28, 0, 0, 0, 0, 0, 0, (byte) tag++}); // P_ACK_V1
            payloads.add("GET / HTTP/1.0\r\n".getBytes());                  // junk
            payloads.add(new byte[] {0x48, 0, 1});                           // data opcode, too short
            payloads.add(new byte[0]);                                      // empty datagram
            for (byte[] p : payloads) {
                expected.put(HexFormat.of().formatHex(p), ReuseportSteering.expectedIndex(p, 2));
            }
            assertEquals(2, (int) expected.get(HexFormat.of().formatHex(data(1, 1, 1))));

            MemorySegment dst = SockAddr.allocate(arena, port);
            MemorySegment buf = arena.allocate(64);
            for (byte[] p : payloads) {
                MemorySegment.copy(p, 0, buf, JAVA_BYTE, 0, p.length);
                assertEquals(p.length, Sockets.sendTo(client, buf.address(), p.length, 0, dst.address(),
                        (int) dst.byteSize()));
            }

            Map<String, Integer> arrived = new HashMap<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (arrived.size() < payloads.size() && System.nanoTime() < deadline) {
                for (int index = 0; index < group.length; index++) {
                    int n;
                    while ((n = Sockets.recvFrom(group[index], buf.address(), 64, 0, 0, 0)) >= 0) {
                        arrived.put(HexFormat.of().formatHex(buf.asSlice(0, n).toArray(JAVA_BYTE)), index);
                    }
                }
                if (arrived.size() < payloads.size()) {
                    Thread.sleep(5);
                }
            }
            assertEquals(expected, arrived);
        }
    }

    @Test
    void reusePortSetAfterBindIsDetected() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int late = fds.udpBound(OpenFds.LOOPBACK4);
            SockOpt.setReusePort(late, true);
            // The flag reads as set: it alone cannot tell the two cases apart...
            assertTrue(SockOpt.reusePortEnabled(late));
            // ...but the socket joined no group, and attaching the program says so.
            IOException e = assertThrows(IOException.class, () -> ReuseportSteering.attach(late, 2));
            assertTrue(e.getMessage().contains("SO_REUSEPORT was set after bind"), e.getMessage());

            int never = fds.udpBound(OpenFds.LOOPBACK4);
            assertEquals(false, SockOpt.reusePortEnabled(never));
            IOException e2 = assertThrows(IOException.class, () -> ReuseportSteering.attach(never, 2));
            assertTrue(e2.getMessage().contains("SO_REUSEPORT is not set"), e2.getMessage());
        }
    }

    @Test
    void programCanBeDetached() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int fd = fds.udpReusePort(OpenFds.LOOPBACK4);
            ReuseportSteering.attach(fd, 3);
            ClassicBpf.detachReuseport(fd);
            ErrnoException e = assertThrows(ErrnoException.class, () -> ClassicBpf.detachReuseport(fd));
            assertEquals(Errno.ENOENT, e.errno()); // nothing left to detach
        }
    }
}

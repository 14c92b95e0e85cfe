package dev.ovpndpdk.bindings.libc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UnixSocketsTest {

    @Test
    void udpSocketPassedWithScmRightsIsTheSameBoundSocket() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int[] pair = UnixSockets.socketPair(Sockets.SOCK_SEQPACKET);
            fds.add(pair[0]);
            fds.add(pair[1]);
            int udp = fds.udpBound(OpenFds.LOOPBACK4);
            byte[] msg = "NEW_PEER".getBytes(StandardCharsets.US_ASCII);
            assertEquals(msg.length, FdPassing.send(pair[0], msg, udp));

            byte[] buf = new byte[64];
            FdPassing.Received r = FdPassing.receive(pair[1], buf);
            int passed = r.fd() >= 0 ? fds.add(r.fd()) : -1;
            assertEquals(msg.length, r.length());
            assertArrayEquals(msg, Arrays.copyOf(buf, r.length()));
            assertTrue(passed >= 0, "no descriptor arrived");
            assertNotEquals(udp, passed);
            assertEquals(Sockets.localAddress(udp), Sockets.localAddress(passed));
            assertEquals(Fd.FD_CLOEXEC, Fd.fcntl(passed, Fd.F_GETFD, 0, "F_GETFD") & Fd.FD_CLOEXEC);
            // Same open socket, not a copy: a flag set through one fd shows through the other.
            SockOpt.setReuseAddr(passed, true);
            assertEquals(1, SockOpt.getInt(udp, SockOpt.SOL_SOCKET, SockOpt.SO_REUSEADDR, "SO_REUSEADDR"));
        }
    }

    @Test
    void messageWithoutDescriptorReportsNone() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int[] pair = UnixSockets.socketPair(Sockets.SOCK_STREAM);
            fds.add(pair[0]);
            fds.add(pair[1]);
            FdPassing.send(pair[0], new byte[] {1, 2, 3}, -1);
            FdPassing.Received r = FdPassing.receive(pair[1], new byte[16]);
            assertEquals(new FdPassing.Received(3, -1), r);
        }
    }

    @Test
    void emptyNonBlockingSocketReceivesNothingWithoutException() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int[] pair = UnixSockets.socketPair(Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
            fds.add(pair[0]);
            fds.add(pair[1]);
            assertEquals(new FdPassing.Received(-1, -1), FdPassing.receive(pair[1], new byte[16]));
        }
    }

    @Test
    void truncatedMessageThrowsAndLeaksNoDescriptor() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int[] pair = UnixSockets.socketPair(Sockets.SOCK_SEQPACKET);
            fds.add(pair[0]);
            fds.add(pair[1]);
            int udp = fds.udpBound(OpenFds.LOOPBACK4);
            long before = openFdCount();
            FdPassing.send(pair[0], new byte[100], udp);
            IOException e = assertThrows(IOException.class, () -> FdPassing.receive(pair[1], new byte[10]));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertEquals(before, openFdCount());
        }
    }

    @Test
    void boundSocketFileIsPrivateAndPeerCredentialsAreOurs() throws Exception {
        Path dir = Files.createTempDirectory("ovpn-libc");
        Path path = dir.resolve("control.sock");
        try (OpenFds fds = new OpenFds()) {
            int server = fds.add(UnixSockets.socket(Sockets.SOCK_SEQPACKET));
            UnixSockets.bind(server, path, 0600);
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(path));
            Sockets.listen(server, 4);

            int client = fds.add(UnixSockets.socket(Sockets.SOCK_SEQPACKET));
            UnixSockets.connect(client, path);
            assertTrue(Poll.waitFor(server, Poll.POLLIN, 2000));
            int conn = fds.add(Sockets.accept(server, Sockets.SOCK_CLOEXEC));

            UnixSockets.PeerCredentials expected = new UnixSockets.PeerCredentials(
                    ProcessIds.pid(), ProcessIds.uid(), ProcessIds.gid());
            assertEquals(expected, UnixSockets.peerCredentials(conn));
            assertEquals(expected, UnixSockets.peerCredentials(client));
            assertEquals(ProcessHandle.current().pid(), ProcessIds.pid());

            // A second bind on the same path fails clearly rather than stealing it.
            int other = fds.add(UnixSockets.socket(Sockets.SOCK_SEQPACKET));
            ErrnoException e = assertThrows(ErrnoException.class, () -> UnixSockets.bind(other, path, 0600));
            assertEquals("bind(" + path + "): Address already in use", e.getMessage());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void tooLongPathIsRefusedBeforeTheKernelSeesIt() throws Exception {
        try (OpenFds fds = new OpenFds()) {
            int fd = fds.add(UnixSockets.socket(Sockets.SOCK_STREAM));
            Path longPath = Path.of("/tmp", "x".repeat(UnixSockets.SUN_PATH_SIZE));
            assertThrows(IllegalArgumentException.class, () -> UnixSockets.bind(fd, longPath, 0600));
        }
    }

    private static long openFdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}

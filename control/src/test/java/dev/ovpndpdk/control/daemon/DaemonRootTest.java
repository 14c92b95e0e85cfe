package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.NetDevice;
import dev.ovpndpdk.bindings.libc.ProcessIds;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.Main;
import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * The real daemon, in this process and this network namespace: a TUN device, a UDP port on
 * loopback, the CLI against its control socket, the OpenVPN socket hand-over through the real
 * socket backend, and a shutdown that leaves neither the interface nor the socket file.
 * Needs root and /dev/net/tun; skipped otherwise.
 */
@Timeout(60)
class DaemonRootTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsRoot() {
        assumeTrue(ProcessIds.euid() == 0, "not root: the daemon test that creates a TUN device is skipped");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun: the daemon test is skipped");
    }

    private static String[] cli(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new String[] {String.valueOf(cl.execute(args)), out.toString(), err.toString()};
    }

    private static int freeUdpPort() throws IOException {
        int fd = Sockets.udp(new InetSocketAddress(LOOPBACK, 0));
        try {
            Sockets.bind(fd, new InetSocketAddress(LOOPBACK, 0));
            return Sockets.localAddress(fd).getPort();
        } finally {
            Fd.closeQuietly(fd);
        }
    }

    @Test
    void theDaemonServesTheCliAdoptsOpenVpnsSocketAndLeavesNothingBehind() throws Exception {
        String tun = "ovt" + HexFormat.of().toHexDigits(new Random().nextInt()).substring(0, 6);
        int port = freeUdpPort();
        Path control = dir.resolve("d.sock");
        Daemon d = Daemon.start(new Daemon.Options(tun, new InetSocketAddress(LOOPBACK, port), Mode.P2P, 1,
                Daemon.Backend.SOCKET, "jdk", control, null, 2048, null, null));
        Thread loop = new Thread(d::run, "control-thread");
        loop.start();
        int openvpn = -1;
        try {
            assertTrue(NetDevice.index(tun) > 0, "the TUN device exists");
            String c = control.toString();
            // OpenVPN's socket: SO_REUSEPORT before bind, same port, same user (docs/daemon.md)
            openvpn = Sockets.udp(new InetSocketAddress(LOOPBACK, port));
            SockOpt.setReusePort(openvpn, true);
            Sockets.bind(openvpn, new InetSocketAddress(LOOPBACK, port));
            String[] r = cli("--control", c, "peer", "new", "--id", "1", "--remote", "127.0.0.1:" + (port + 1),
                    "--socket-fd", String.valueOf(openvpn));
            assertEquals("0", r[0], r[2]);

            Path key = Files.writeString(dir.resolve("k.hex"), HexFormat.of().formatHex(randomBlock()));
            r = cli("--control", c, "key", "new", "--peer", "1", "--slot", "primary", "--key-id", "0",
                    "--cipher", "AES-128-GCM", "--key-material", key.toString(), "--role", "server");
            assertEquals("0", r[0], r[2]);
            r = cli("--control", c, "stats", "--json");
            assertEquals("0", r[0], r[2]);
            assertTrue(r[1].startsWith("{\"peer_count\":1,"), r[1]);
            r = cli("--control", c, "peer", "get");
            assertTrue(r[1].startsWith("peer 1  remote 127.0.0.1:" + (port + 1)), r[1]);

            IOException second = assertThrows(IOException.class, () -> Daemon.start(new Daemon.Options(tun + "b",
                    new InetSocketAddress(LOOPBACK, port), Mode.P2P, 1, Daemon.Backend.SOCKET, "jdk", control, null, 2048, null, null)));
            assertTrue(second.getMessage().startsWith("another daemon is running on " + control), second.getMessage());
        } finally {
            d.stop();
            loop.join(15_000);
            Fd.closeQuietly(openvpn);
        }
        assertFalse(loop.isAlive(), "the control thread ended");
        assertFalse(Files.exists(control), "the control socket file is gone");
        ErrnoException gone = assertThrows(ErrnoException.class, () -> NetDevice.index(tun), "the TUN device is gone");
        assertEquals(dev.ovpndpdk.bindings.libc.Errno.ENODEV, gone.errno());
    }

    @Test
    void aSocketThatCannotShareThePortIsRefusedWithTheReason() throws Exception {
        String tun = "ovt" + HexFormat.of().toHexDigits(new Random().nextInt()).substring(0, 6);
        int port = freeUdpPort();
        Path control = dir.resolve("d.sock");
        Daemon d = Daemon.start(new Daemon.Options(tun, new InetSocketAddress(LOOPBACK, port), Mode.P2P, 1,
                Daemon.Backend.SOCKET, "jdk", control, null, 2048, null, null));
        Thread loop = new Thread(d::run, "control-thread");
        loop.start();
        int other = Sockets.udp(new InetSocketAddress(LOOPBACK, 0));
        try {
            Sockets.bind(other, new InetSocketAddress(LOOPBACK, 0));
            String[] r = cli("--control", control.toString(), "peer", "new", "--id", "1",
                    "--remote", "127.0.0.1:9", "--socket-fd", String.valueOf(other));
            assertEquals("1", r[0]);
            assertTrue(r[2].startsWith("ovpn-dpdk: the handed-over socket is bound to 127.0.0.1:"), r[2]);
            assertTrue(r[2].contains("OpenVPN's local and port must be the same"), r[2]);
            assertEquals("", cli("--control", control.toString(), "peer", "get")[1], "no peer was added");
        } finally {
            Fd.closeQuietly(other);
            d.stop();
            loop.join(15_000);
        }
        assertFalse(Files.exists(control));
    }

    /**
     * G2: OpenVPN restarts (SIGHUP, crash, upgrade) with a new socket on the same address. The
     * daemon kept no copy of the old one, so the new one is the group's OpenVPN index again,
     * and a new client's first handshake packet reaches it.
     */
    @Test
    void aRestartedOpenVpnsNewSocketGetsTheControlChannel() throws Exception {
        String tun = "ovt" + HexFormat.of().toHexDigits(new Random().nextInt()).substring(0, 6);
        int port = freeUdpPort();
        InetSocketAddress listen = new InetSocketAddress(LOOPBACK, port);
        Path control = dir.resolve("d.sock");
        Daemon d = Daemon.start(new Daemon.Options(tun, listen, Mode.MP, 2,
                Daemon.Backend.SOCKET, "jdk", control, null, 2048, null, null));
        Thread loop = new Thread(d::run, "control-thread");
        loop.start();
        try (java.net.DatagramSocket client = new java.net.DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            for (int process = 1; process <= 3; process++) {
                int openvpn = Sockets.udp(listen);
                try (ControlClient c = ControlClient.connect(control)) {
                    SockOpt.setReusePort(openvpn, true);
                    Sockets.bind(openvpn, listen);
                    c.call(Command.ATTACH, Fields.builder().u64(FieldNames.SOCKET, 0).build(), openvpn);
                    // P_CONTROL_HARD_RESET_CLIENT_V2 from a client the daemon has never seen
                    byte[] reset = {0x38, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0};
                    client.send(new java.net.DatagramPacket(reset, reset.length, listen));
                    assertEquals(reset.length, receive(openvpn), "OpenVPN process " + process + " got the handshake");
                } finally {
                    Fd.closeQuietly(openvpn); // the process exits: its socket leaves the group
                }
            }
        } finally {
            d.stop();
            loop.join(15_000);
        }
    }

    /** The length of the next datagram on {@code fd} within 3 s, or -1. */
    private static int receive(int fd) throws Exception {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = a.allocate(2048);
            for (int i = 0; i < 300; i++) {
                int n = Sockets.recvFrom(fd, buf.address(), 2048, Sockets.MSG_DONTWAIT, 0, 0);
                if (n >= 0) {
                    return n;
                }
                Thread.sleep(10);
            }
            return -1;
        }
    }

    private static byte[] randomBlock() {
        byte[] b = new byte[256];
        new Random().nextBytes(b);
        return b;
    }
}

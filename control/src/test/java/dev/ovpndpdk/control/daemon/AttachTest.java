package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.client.RequestRefusedException;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.Notification;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.dataplane.engine.DeleteReason;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ATTACH (docs/control-protocol.md): the OpenVPN process hands its socket over before any peer
 * exists, owns the peers it creates, and they leave with its connection (G3); one process at a
 * time; a refused request changes nothing; leaked connections of others never lock it or the
 * operator out. PING says what the daemon serves.
 */
@Timeout(60)
class AttachTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private InProcessDaemon daemon;
    private final List<ControlClient> clients = new ArrayList<>();
    private final List<Integer> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        daemon = InProcessDaemon.start(dir, Mode.MP);
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(ControlClient::close);
        sockets.forEach(Fd::closeQuietly);
        daemon.close();
    }

    private ControlClient client() throws IOException {
        ControlClient c = daemon.client();
        clients.add(c);
        return c;
    }

    private int udp() throws IOException {
        int fd = Sockets.udp(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        sockets.add(fd);
        Sockets.bind(fd, new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        return fd;
    }

    private static Fields withSocket() {
        return Fields.builder().u64(FieldNames.SOCKET, 0).build();
    }

    private List<Integer> peers(ControlClient c) throws Exception {
        List<Integer> ids = new ArrayList<>();
        for (Fields p : c.call(Command.GET_PEER, Fields.empty()).allNested(FieldNames.PEER)) {
            ids.add((int) p.u64(FieldNames.PEER_ID));
        }
        return ids;
    }

    /** The next PEER_DELETED's peer-id and reason, as "id reason". */
    private static String nextDeletion(ControlClient subscriber) throws Exception {
        Optional<Message> n = subscriber.nextNotification(WAIT);
        assertTrue(n.isPresent(), "a notification");
        assertEquals(Notification.PEER_DELETED.code(), n.get().code());
        return n.get().u64(FieldNames.PEER_ID) + " " + n.get().string(FieldNames.REASON_NAME);
    }

    @Test
    void pingSaysWhatTheDaemonServes() throws Exception {
        Message r = client().call(Command.PING, Fields.empty());
        assertEquals("mp", r.string(FieldNames.MODE));
        assertEquals("tun-test", r.string(FieldNames.TUN));
        assertEquals("socket", r.string(FieldNames.BACKEND));
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1194), SockAddrField.get(r.fields(), FieldNames.LISTEN));
        assertFalse(r.fields().has(FieldNames.TUN_MTU), "the socket backend takes any tunnel MTU");
        assertTrue(r.fields().allStrings(FieldNames.FEATURE).containsAll(
                List.of(FieldNames.FEATURE_ATTACH, FieldNames.FEATURE_PEER_FLOAT, FieldNames.FEATURE_LOCAL)), r.toString());
    }

    /**
     * NEW_PEER's {@code local} (--multihome) is where the peer's packets leave from; a daemon
     * listening on one address (here 127.0.0.1) can only send from that one.
     */
    @Test
    void localIsTheListenAddressOrRefused() throws Exception {
        ControlClient c = client();
        Fields other = Fields.builder().addAll(ControlServerTest.newPeer(1, "5.5.5.2"))
                .add(SockAddrField.field(FieldNames.LOCAL, new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 1194))).build();
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> c.call(Command.NEW_PEER, other));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("127.0.0.2 is not this daemon's address"), e.getMessage());
        InetSocketAddress listen = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1194);
        c.call(Command.NEW_PEER, Fields.builder().addAll(ControlServerTest.newPeer(1, "5.5.5.2"))
                .add(SockAddrField.field(FieldNames.LOCAL, listen)).build());
        Fields p = c.call(Command.GET_PEER, ControlServerTest.peerId(1)).nested(FieldNames.PEER);
        assertEquals(listen, SockAddrField.get(p, FieldNames.LOCAL));
    }

    @Test
    void theSocketIsTakenBeforeAnyPeerAndNoCopyIsKept() throws Exception {
        ControlClient openvpn = client();
        int udp = udp();
        Message r = openvpn.call(Command.ATTACH, withSocket(), udp);
        assertEquals(0, r.u64(FieldNames.PEER_COUNT));
        assertEquals(List.of(SockOpt.cookie(udp)), daemon.handedOver);
        Fd.fcntl(udp, Fd.F_GETFD, 0, "fcntl(F_GETFD)"); // ours still; the daemon's copy is closed
        // Its NEW_PEERs may bring the same socket again: nothing to do.
        openvpn.call(Command.NEW_PEER, Fields.builder().addAll(ControlServerTest.newPeer(1, "5.5.5.2")).u64(FieldNames.SOCKET, 0).build(), udp);
        assertEquals(1, daemon.handedOver.size());
    }

    @Test
    void theOwnersPeersLeaveWithItsConnectionAndNoOtherPeer() throws Exception {
        ControlClient events = client();
        events.call(Command.SUBSCRIBE, Fields.empty());
        ControlClient operator = client();
        ControlClient openvpn = client();
        openvpn.call(Command.ATTACH, Fields.empty());
        openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
        openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(2, "5.5.5.3"));
        openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(3, "5.5.5.4"));
        operator.call(Command.NEW_PEER, ControlServerTest.newPeer(4, "5.5.5.5"));
        // Peer 3 goes by DEL_PEER and comes back as the operator's: it is no longer OpenVPN's.
        openvpn.call(Command.DEL_PEER, ControlServerTest.peerId(3));
        assertEquals("3 userspace", nextDeletion(events));
        operator.call(Command.NEW_PEER, ControlServerTest.newPeer(3, "5.5.5.4"));

        openvpn.close(); // exit, crash, SIGKILL: the kernel closes the connection all the same
        List<String> gone = List.of(nextDeletion(events), nextDeletion(events));
        assertTrue(gone.containsAll(List.of("1 teardown", "2 teardown")), gone.toString());
        assertEquals(Optional.empty(), events.nextNotification(Duration.ofMillis(300)), "nothing else deleted");
        assertEquals(List.of(3, 4), peers(operator), "by peer-id");
    }

    @Test
    void oneProcessIsAttachedAtATime() throws Exception {
        ControlClient first = client();
        first.call(Command.ATTACH, Fields.empty());
        first.call(Command.ATTACH, Fields.empty()); // again, e.g. with its socket later: fine
        ControlClient second = client();
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> second.call(Command.ATTACH, Fields.empty()));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("attached already"), e.getMessage());

        first.close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) { // the daemon hears of the close on its next turn
            try {
                second.call(Command.ATTACH, Fields.empty());
                break;
            } catch (RequestRefusedException busy) {
                assertTrue(System.nanoTime() < deadline, "the first process's attachment outlived its connection");
                Thread.sleep(20);
            }
        }
        second.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
        assertEquals(List.of(1), peers(client()));
    }

    @Test
    void aRefusedNewPeerChangesNothing() throws Exception {
        ControlClient openvpn = client();
        int udp = udp();
        Fields noVpnAddress = Fields.builder().u64(FieldNames.PEER_ID, 1)
                .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(InetAddress.ofLiteral("10.10.0.1"), 1194)))
                .u64(FieldNames.SOCKET, 0).build();
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> openvpn.call(Command.NEW_PEER, noVpnAddress, udp));
        assertEquals(Errno.EINVAL, e.errno());
        openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(2, "5.5.5.2"));
        Fields taken = Fields.builder().addAll(ControlServerTest.newPeer(3, "5.5.5.2")).u64(FieldNames.SOCKET, 0).build();
        e = assertThrows(RequestRefusedException.class, () -> openvpn.call(Command.NEW_PEER, taken, udp));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertEquals(List.of(), daemon.handedOver, "the socket was never taken");
        assertEquals(List.of(2), peers(openvpn));
    }

    @Test
    void leakedConnectionsLockOutNeitherOpenVpnNorTheOperator() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no python3 to leak connections from another process");
        ControlClient openvpn = client();
        openvpn.call(Command.ATTACH, Fields.empty());
        ControlClient openvpnEvents = client();
        openvpnEvents.call(Command.SUBSCRIBE, Fields.empty());
        openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));

        // Another process opens 400 connections and never says a word on them.
        int leaked = 400;
        Process leaker = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                "import socket, sys, time",
                "s = []",
                "for i in range(" + leaked + "):",
                "    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)",
                "    c.connect(sys.argv[1])",
                "    s.append(c)",
                "print('connected', flush=True)",
                "time.sleep(60)"), daemon.socket.toString()).redirectErrorStream(true).start();
        try {
            String line = new String(leaker.getInputStream().readNBytes("connected\n".length()));
            assertEquals("connected\n", line, "the leaking process connected (a full backlog would block it)");
            // The operator's next command and OpenVPN's own connections still work.
            try (ControlClient operator = daemon.client()) {
                assertEquals(1, operator.call(Command.PING, Fields.empty()).u64(FieldNames.PEER_COUNT));
            }
            openvpn.call(Command.NEW_PEER, ControlServerTest.newPeer(2, "5.5.5.3"));
            openvpn.call(Command.DEL_PEER, ControlServerTest.peerId(2));
            assertEquals("2 userspace", nextDeletion(openvpnEvents));
            assertTrue(daemon.server.connectionCount() <= ControlServer.MAX_CONNECTIONS);
        } finally {
            leaker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of(1), peers(openvpn));
        openvpn.close();
        assertEquals(DeleteReason.TEARDOWN.reasonName(), nextDeletion(openvpnEvents).split(" ")[1]);
    }
}

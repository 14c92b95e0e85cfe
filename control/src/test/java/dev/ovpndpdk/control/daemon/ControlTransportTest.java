package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.bindings.libc.UnixSockets;
import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.client.RequestRefusedException;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.Notification;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport rules of docs/control-protocol.md: malformed and oversized datagrams are
 * answered and forgotten, unauthorised clients get EPERM, descriptors are adopted or closed,
 * and no client can make the control thread wait.
 */
@Timeout(60)
class ControlTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static Message answer(ControlClient c) throws IOException {
        return c.receive(WAIT).orElseThrow(() -> new AssertionError("no answer"));
    }

    @Test
    void garbageIsAnsweredWithEinvalAndTheConnectionGoesOn() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            c.send("hello, daemon".getBytes());
            Message r = answer(c);
            assertEquals(Kind.REPLY, r.kind());
            assertEquals(0, r.code());
            assertEquals(0, r.sequence());
            assertEquals(Errno.EINVAL, r.error());

            byte[] badVersion = new MessageCodec().encode(Message.request(Command.PING, 9).build());
            badVersion[4] = 7;
            c.send(badVersion);
            r = answer(c);
            assertEquals(Errno.EPROTONOSUPPORT, r.error());
            assertEquals(9, r.sequence(), "the header was readable: its sequence is echoed");

            c.send(new MessageCodec().encode(Message.replyTo(Message.request(Command.PING, 4).build()).build()));
            r = answer(c);
            assertEquals(Errno.EINVAL, r.error());
            assertEquals("a reply is not a request", r.errorMessage().orElseThrow());

            assertEquals(0, c.call(Command.PING, Fields.empty()).error(), "still serving");
        }
    }

    @Test
    void anOversizedRequestIsRefusedWithE2big() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            byte[] big = new byte[MessageCodec.MAX_MESSAGE_BYTES + 4000];
            byte[] header = new MessageCodec().encode(Message.request(Command.GET_PEER, 42).build());
            System.arraycopy(header, 0, big, 0, header.length);
            ByteBuffer.wrap(big).putInt(12, big.length - MessageCodec.HEADER_BYTES);
            c.send(big);
            Message r = answer(c);
            assertEquals(Errno.E2BIG, r.error());
            assertEquals(42, r.sequence());
            assertEquals(Command.GET_PEER.code(), r.code());
            assertEquals(0, c.call(Command.PING, Fields.empty()).error());
        }
    }

    @Test
    void aClientOfAnotherUserGetsEpermAndIsDisconnected() throws Exception {
        // Simulated: the policy refuses our own uid, as it refuses any uid but 0 and the daemon's.
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP, uid -> false); ControlClient c = d.client()) {
            RequestRefusedException e = assertThrows(RequestRefusedException.class,
                    () -> c.call(Command.PING, Fields.empty()));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.getMessage().startsWith("uid "), e.getMessage());
            IOException closed = assertThrows(IOException.class, () -> c.receive(WAIT));
            assertEquals("the daemon closed the connection", closed.getMessage());
        }
    }

    @Test
    void newPeerHandsThePassedUdpSocketOverAndKeepsNoCopy() throws Exception {
        int udp = Sockets.udp(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            Sockets.bind(udp, new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
            c.call(Command.PING, Fields.empty());
            int before = openFds();
            Fields f = Fields.builder().addAll(ControlServerTest.newPeer(1, "5.5.5.2")).u64(FieldNames.SOCKET, 0).build();
            c.call(Command.NEW_PEER, f, udp);
            assertEquals(List.of(SockOpt.cookie(udp)), d.handedOver, "steered to the passed socket");
            assertEquals(before, openFds(), "the daemon closed its copy");

            c.call(Command.NEW_PEER, Fields.builder().addAll(ControlServerTest.newPeer(2, "5.5.5.3"))
                    .u64(FieldNames.SOCKET, 0).build(), udp);
            assertEquals(1, d.handedOver.size(), "the same socket again is not steered to again");

            RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> c.call(Command.NEW_PEER,
                    Fields.builder().addAll(ControlServerTest.newPeer(3, "5.5.5.4")).u64(FieldNames.SOCKET, 1).build(), udp));
            assertEquals(Errno.EBADF, e.errno());
        } finally {
            Fd.closeQuietly(udp);
        }
    }

    @Test
    void descriptorsPassedWithOtherRequestsAreClosed() throws Exception {
        int udp = Sockets.udp(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            c.call(Command.PING, Fields.empty());
            int before = openFds();
            for (int i = 0; i < 50; i++) {
                c.call(Command.PING, Fields.empty(), udp);
                c.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"), udp); // no socket field
                c.call(Command.DEL_PEER, ControlServerTest.peerId(1), udp);
            }
            assertTrue(openFds() < before + 10, "150 descriptors passed, " + (openFds() - before) + " more open");
            assertEquals(0, d.handedOver.size());
        } finally {
            Fd.closeQuietly(udp);
        }
    }

    private static int openFds() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }

    @Test
    void aSubscriberThatNeverReadsCannotStallTheDaemon() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP);
             ControlClient lazy = d.client(); ControlClient busy = d.client()) {
            lazy.call(Command.SUBSCRIBE, Fields.empty());
            for (int i = 0; i < 1500; i++) { // ~1500 PEER_DELETED of ~500 bytes: more than a socket buffer
                busy.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
                busy.call(Command.DEL_PEER, ControlServerTest.peerId(1));
            }
            assertEquals(0, busy.call(Command.PING, Fields.empty()).error());
            long first = lazy.nextNotification(WAIT).orElseThrow().sequence();
            long last = first;
            int got = 1;
            Message lost = null;
            var n = lazy.nextNotification(Duration.ofMillis(500));
            while (n.isPresent()) {
                if (n.get().notification().orElseThrow() == Notification.NOTIFICATIONS_LOST) {
                    lost = n.get();
                } else {
                    assertEquals(null, lost, "nothing after the loss but the news of it");
                    last = n.get().sequence();
                    got++;
                }
                n = lazy.nextNotification(Duration.ofMillis(500));
            }
            assertTrue(got < 1500, "some were dropped for the slow subscriber, got " + got);
            assertEquals(first + got - 1, last, "the first ones arrived, the later ones were dropped");
            assertTrue(lost != null, "once it reads again, it is told of the loss");
            assertEquals(1500 - got, lost.u64(FieldNames.MISSED));
            assertEquals(first + 1499, lost.sequence(), "with the last one it missed");
            busy.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
            busy.call(Command.DEL_PEER, ControlServerTest.peerId(1));
            long next = lazy.nextNotification(WAIT).orElseThrow().sequence();
            assertEquals(first + 1500, next, "and the next follows on");
        }
    }

    @Test
    void aZeroLengthDatagramIsAnsweredToo() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            c.send(new byte[0]);
            assertEquals(Errno.EINVAL, answer(c).error());
            assertEquals(0, c.call(Command.PING, Fields.empty()).error());
        }
    }

    @Test
    void aSecondServerOnALivePathIsRefusedAStaleSocketIsReplaced() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP)) {
            IOException e = assertThrows(IOException.class, () -> ControlSocketFile.prepare(d.socket));
            assertTrue(e.getMessage().startsWith("another daemon is running on "), e.getMessage());
        }
        Path stale = dir.resolve("stale.sock");
        int fd = UnixSockets.socket(Sockets.SOCK_SEQPACKET);
        UnixSockets.bind(fd, stale, 0600);
        Fd.close(fd); // bound, never listened, closed: what a killed daemon leaves
        ControlSocketFile.prepare(stale);
        assertTrue(!stale.toFile().exists(), "removed");
        Path plain = dir.resolve("plain.sock");
        java.nio.file.Files.writeString(plain, "x");
        IOException e = assertThrows(IOException.class, () -> ControlSocketFile.prepare(plain));
        assertTrue(e.getMessage().endsWith("exists and is not a socket; remove it or choose another --control"));
    }
}

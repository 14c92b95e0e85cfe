package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.Notification;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SUBSCRIBE and the notifications the engine's events become (docs/control-protocol.md). */
@Timeout(30)
class NotificationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aSubscriberHearsPeerDeletedWithReasonAndFinalCounters() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP);
             ControlClient listener = d.client(); ControlClient c = d.client()) {
            listener.call(Command.SUBSCRIBE, Fields.empty());
            c.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
            c.call(Command.NEW_PEER, ControlServerTest.newPeer(2, "5.5.5.3"));
            c.call(Command.DEL_PEER, ControlServerTest.peerId(1));
            c.call(Command.DEL_PEER, ControlServerTest.peerId(2));
            Message first = listener.nextNotification(WAIT).orElseThrow();
            assertEquals(Kind.NOTIFICATION, first.kind());
            assertEquals(Notification.PEER_DELETED, first.notification().orElseThrow());
            assertEquals(1, first.u64(FieldNames.PEER_ID));
            assertEquals(1, first.u64(FieldNames.REASON));
            assertEquals("userspace", first.string(FieldNames.REASON_NAME));
            assertEquals(0, first.u64(FieldNames.LINK_RX_BYTES));
            Message second = listener.nextNotification(WAIT).orElseThrow();
            assertEquals(2, second.u64(FieldNames.PEER_ID));
            assertEquals(first.sequence() + 1, second.sequence(), "one daemon-wide counter, no gap");
        }
    }

    /**
     * A subscriber that does not read misses notifications (the daemon never waits for it);
     * as soon as it reads again it is told how many, with the sequence number of the last one
     * it missed, so the gap shows without waiting for the next notification; the next one
     * follows on from it.
     */
    @Test
    void aSubscriberThatMissedNotificationsIsToldAsSoonAsItReadsAgain() throws Exception {
        int peers = 1500; // ~1 KiB each: several times what a Unix socket's buffer holds
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP);
             ControlClient listener = d.client(); ControlClient c = d.client()) {
            listener.call(Command.SUBSCRIBE, Fields.empty());
            for (int i = 1; i <= peers; i++) {
                c.call(Command.NEW_PEER, Fields.builder().u64(FieldNames.PEER_ID, i)
                        .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(InetAddress.ofLiteral("10.10.0.1"), 2000 + i)))
                        .bytes(FieldNames.VPN_IPV4, new byte[] {5, 6, (byte) (i / 250), (byte) (i % 250 + 2)}).build());
                c.call(Command.DEL_PEER, ControlServerTest.peerId(i));
            }
            int deleted = 0;
            Message lost = null;
            long lastBeforeLost = -1;
            for (Message n; (n = listener.nextNotification(Duration.ofMillis(500)).orElse(null)) != null; ) {
                if (n.notification().orElseThrow() == Notification.NOTIFICATIONS_LOST) {
                    assertEquals(null, lost, "told once");
                    lost = n;
                } else {
                    assertEquals(Notification.PEER_DELETED, n.notification().orElseThrow());
                    deleted++;
                    if (lost == null) {
                        lastBeforeLost = n.sequence();
                    }
                }
            }
            assertTrue(lost != null, "a NOTIFICATIONS_LOST came (" + deleted + " of " + peers + " delivered)");
            long missed = lost.u64(FieldNames.MISSED);
            assertEquals(peers, deleted + missed, "every notification delivered or counted as missed");
            assertEquals(lastBeforeLost + missed, lost.sequence(), "it carries the last one missed");
            c.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
            c.call(Command.DEL_PEER, ControlServerTest.peerId(1));
            assertEquals(lost.sequence() + 1, listener.nextNotification(WAIT).orElseThrow().sequence(), "and the next follows on");
        }
    }

    @Test
    void connectionsThatDidNotSubscribeHearNothing() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP); ControlClient c = d.client()) {
            c.call(Command.NEW_PEER, ControlServerTest.newPeer(1, "5.5.5.2"));
            c.call(Command.DEL_PEER, ControlServerTest.peerId(1));
            assertTrue(c.nextNotification(Duration.ofMillis(300)).isEmpty());
        }
    }

    @Test
    void aSilentPeerExpiresThroughTheLoopsTick() throws Exception {
        try (InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP);
             ControlClient listener = d.client(); ControlClient c = d.client()) {
            listener.call(Command.SUBSCRIBE, Fields.empty());
            c.call(Command.NEW_PEER, Fields.builder().addAll(ControlServerTest.newPeer(1, "5.5.5.2"))
                    .u64(FieldNames.KEEPALIVE_INTERVAL, 1).u64(FieldNames.KEEPALIVE_TIMEOUT, 1).build());
            Message n = listener.nextNotification(WAIT).orElseThrow();
            assertEquals("expired", n.string(FieldNames.REASON_NAME));
            assertEquals(2, n.u64(FieldNames.REASON));
            assertEquals(0, c.call(Command.GET_STATS, Fields.empty()).u64(FieldNames.PEER_COUNT));
        }
    }

    @Test
    void shuttingDownTellsSubscribersTeardownBeforeTheSocketCloses() throws Exception {
        InProcessDaemon d = InProcessDaemon.start(dir, Mode.MP);
        try (ControlClient listener = d.client(); ControlClient c = d.client()) {
            listener.call(Command.SUBSCRIBE, Fields.empty());
            c.call(Command.NEW_PEER, ControlServerTest.newPeer(7, "5.5.5.8"));
            d.close();
            Message n = listener.nextNotification(WAIT).orElseThrow();
            assertEquals(7, n.u64(FieldNames.PEER_ID));
            assertEquals("teardown", n.string(FieldNames.REASON_NAME));
            assertTrue(!d.socket.toFile().exists(), "socket file removed");
        } finally {
            d.close();
        }
    }
}

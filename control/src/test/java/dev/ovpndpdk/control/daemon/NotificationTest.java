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
import dev.ovpndpdk.dataplane.peer.Mode;

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

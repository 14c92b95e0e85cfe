package dev.ovpndpdk.control.protocol;

import dev.ovpndpdk.dataplane.engine.DeleteReason;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageRoundTripTest {
    private final MessageCodec codec = new MessageCodec();

    static Stream<Message> everyShape() {
        return Samples.all().stream();
    }

    @ParameterizedTest
    @MethodSource("everyShape")
    void everyShapeDecodesToWhatWasEncoded(Message m) throws Exception {
        byte[] wire = codec.encode(m);
        assertEquals(codec.encodedSize(m), wire.length);
        assertEquals(m, codec.decode(wire));
    }

    @ParameterizedTest
    @MethodSource("everyShape")
    void encodingIntoABufferWritesTheSameBytesWhateverItsByteOrder(Message m) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(70_000).order(ByteOrder.LITTLE_ENDIAN);
        dst.position(3);
        int n = codec.encode(m, dst);
        assertEquals(3 + n, dst.position());
        assertArrayEquals(codec.encode(m), java.util.Arrays.copyOfRange(dst.array(), 3, 3 + n));
        assertEquals(m, codec.decode(dst.array(), 3, n));
        ByteBuffer view = ByteBuffer.wrap(dst.array(), 3, n);
        assertEquals(m, codec.decode(view));
        assertEquals(3, view.position(), "decode does not move the position");
    }

    @Test
    void headerIsLaidOutAsDocumented() {
        Message m = Message.request(Command.DEL_PEER, 0x01020304L).u64(PEER_ID, 5).build();
        assertEquals("4f565044" + "01" + "01" + "0003" + "01020304" + "00000015"
                + "01" + "07" + "706565725f6964" + "00000008" + "0000000000000005",
                HexFormat.of().formatHex(codec.encode(m)));
    }

    @Test
    void multiPartFlagSharesTheKindByte() throws Exception {
        Message part = Message.replyTo(Message.request(Command.GET_PEER, 9).build()).build()
                .withMore(true, Fields.of(Field.u64(ERROR, 0)));
        byte[] wire = codec.encode(part);
        assertEquals(0x12, wire[5]);
        assertTrue(codec.decode(wire).more());
    }

    @Test
    void newPeerFieldsReadBackThroughTheTypedAccessors() throws Exception {
        Message m = codec.decode(codec.encode(Samples.requests().get("NEW_PEER")));
        assertEquals(Command.NEW_PEER, m.command().orElseThrow());
        assertEquals(5, m.u64(PEER_ID, PEER_ID_MAX));
        assertEquals(Samples.REMOTE_V4, SockAddrField.get(m.fields(), REMOTE));
        assertEquals(Samples.LOCAL_V4, SockAddrField.opt(m.fields(), LOCAL).orElseThrow());
        assertEquals(0, m.u64(SOCKET));
        assertArrayEquals(new byte[] {10, 8, 0, 6}, m.bytes(VPN_IPV4, 4));
        assertEquals(16, m.optBytes(VPN_IPV6, 16).orElseThrow().length);
        assertEquals(60, m.optU64(KEEPALIVE_TIMEOUT, KEEPALIVE_MAX).orElseThrow());
    }

    @Test
    void newKeyCarriesBothDirections() throws Exception {
        Message m = codec.decode(codec.encode(Samples.requests().get("NEW_KEY")));
        assertEquals("AES-256-GCM", m.string(CIPHER));
        assertEquals(1, m.u64(KEY_ID, KEY_ID_MAX));
        assertArrayEquals(Samples.seq(32, 0), m.nested(ENCRYPT).bytes(KEY, 16, 24, 32));
        assertArrayEquals(Samples.seq(8, 150), m.nested(DECRYPT).bytes(NONCE_TAIL, NONCE_TAIL_BYTES));
    }

    @Test
    void keyMaterialNeverAppearsInToString() {
        String s = Samples.requests().get("NEW_KEY").toString();
        assertTrue(s.contains("key=<32 bytes>"), s);
        assertTrue(s.contains("nonce_tail=<8 bytes>"), s);
        assertFalse(s.contains("000102030405"), s);
    }

    @Test
    void getPeerDumpListsPeersWithCountersAndRoutes() throws Exception {
        Message m = codec.decode(codec.encode(Samples.peerDump(Message.request(Command.GET_PEER, 1).build(), 3)));
        assertEquals(0, m.error());
        List<Fields> peers = m.allNested(PEER);
        assertEquals(3, peers.size());
        Fields p = peers.get(2);
        assertEquals(2, p.u64(PEER_ID));
        assertEquals(2001, p.u64(VPN_RX_BYTES));
        assertEquals(Map.of("auth_failed", 3L, "replay", 1L), p.u64sWithPrefix(DROP_PREFIX));
        assertEquals(List.of(new PrefixField(Samples.ip("10.9.0.0"), 24), new PrefixField(Samples.ip("10.10.0.0"), 16)),
                PrefixField.all(p, PREFIX));
    }

    @Test
    void errorReplyEchoesCodeAndSequence() throws Exception {
        Message rq = Message.request(Command.DEL_PEER, 77).u64(PEER_ID, 9).build();
        Message reply = codec.decode(codec.encode(
                Message.errorReplyTo(rq, new ErrnoException(Errno.ENOENT, "no peer 9"))));
        assertEquals(Kind.REPLY, reply.kind());
        assertEquals(Command.DEL_PEER.code(), reply.code());
        assertEquals(77, reply.sequence());
        assertEquals(Errno.ENOENT, reply.error());
        assertEquals("no peer 9", reply.errorMessage().orElseThrow());
    }

    @Test
    void notificationsNameTheirReason() throws Exception {
        Message m = codec.decode(codec.encode(Samples.notifications().get(0)));
        assertEquals(Notification.PEER_DELETED, m.notification().orElseThrow());
        assertEquals(DeleteReason.EXPIRED, DeleteReason.fromCode(m.u64(REASON)).orElseThrow());
        assertEquals("expired", m.string(REASON_NAME));
        InetSocketAddress floated = SockAddrField.get(codec.decode(codec.encode(Samples.notifications().get(2))).fields(), REMOTE);
        assertEquals(Samples.REMOTE_V6, floated);
    }

    @Test
    void extremeValuesSurvive() throws Exception {
        Message m = Message.builder(Kind.NOTIFICATION, 0xFFFF, 0xFFFF_FFFFL)
                .u64("max", -1L).u64("zero", 0).bool("t", true).bool("f", false)
                .string("empty", "").string("unicode", "h\u00e9llo \u4e16\u754c \uD83D\uDE00")
                .bytes("none", new byte[0]).nested("nothing", Fields.empty())
                .build();
        Message back = codec.decode(codec.encode(m));
        assertEquals(m, back);
        assertEquals("18446744073709551615", Long.toUnsignedString(back.u64("max")));
        assertEquals(0xFFFF_FFFFL, back.sequence());
    }

    @Test
    void fourLevelsOfNestingAreAllowed() throws Exception {
        Fields inner = Fields.of(Field.u64("x", 1));
        for (int i = 0; i < MessageCodec.MAX_DEPTH - 1; i++) {
            inner = Fields.of(Field.nested("n", inner));
        }
        Message m = Message.request(Command.PING, 1).nested("n", inner).build();
        assertEquals(m, codec.decode(codec.encode(m)));
    }

    @Test
    void codesAreUniqueAndRoundTrip() {
        for (Command c : Command.values()) {
            assertEquals(c, Command.fromCode(c.code()).orElseThrow());
        }
        for (Notification n : Notification.values()) {
            assertEquals(n, Notification.fromCode(n.code()).orElseThrow());
            assertTrue(Command.fromCode(n.code()).isEmpty());
        }
        assertTrue(Command.fromCode(0).isEmpty());
        assertEquals(13, Command.PING.code());
        assertEquals(4, DeleteReason.TRANSPORT_DISCONNECT.code);
    }
}

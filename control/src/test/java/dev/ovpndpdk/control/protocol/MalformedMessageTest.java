package dev.ovpndpdk.control.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each way a datagram can be wrong is refused with an errno and a message that says where. */
class MalformedMessageTest {
    private static final int MAGIC = MessageCodec.MAGIC;
    private final MessageCodec codec = new MessageCodec();

    private MalformedMessageException refused(byte[] datagram) {
        return assertThrows(MalformedMessageException.class, () -> codec.decode(datagram));
    }

    private void refused(byte[] datagram, int errno, String messagePart) {
        MalformedMessageException e = refused(datagram);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private static byte[] withField(Raw payload) {
        return payload.request(Command.DEL_PEER.code(), 42);
    }

    @Test
    void shorterThanTheHeader() {
        refused(new byte[0], Errno.EINVAL, "shorter than the 16-byte header");
        refused(new byte[15], Errno.EINVAL, "message of 15 bytes");
    }

    @Test
    void badMagicDoesNotEchoAnything() {
        MalformedMessageException e = refused(Raw.message(0x4F565045, 1, 1, 3, 42, 0, new byte[0]));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("bad magic 0x4f565045"), e.getMessage());
        assertFalse(e.hasHeader());
        Message reply = Message.errorReplyTo(e);
        assertEquals(0, reply.sequence());
        assertEquals(0, reply.code());
    }

    @Test
    void otherVersionIsEprotonosupportAndEchoesTheHeader() {
        MalformedMessageException e = refused(Raw.message(MAGIC, 2, 1, 3, 42, 0, new byte[0]));
        assertEquals(Errno.EPROTONOSUPPORT, e.errno());
        assertTrue(e.hasHeader());
        assertEquals(3, e.code());
        assertEquals(42, e.sequence());
        Message reply = Message.errorReplyTo(e);
        assertEquals(42, reply.sequence());
        assertEquals(Kind.REPLY, reply.kind());
    }

    @Test
    void unknownKindOrFlags() {
        refused(Raw.message(MAGIC, 1, 0, 3, 1, 0, new byte[0]), Errno.EINVAL, "unknown message kind 0");
        refused(Raw.message(MAGIC, 1, 4, 3, 1, 0, new byte[0]), Errno.EINVAL, "unknown message kind 4");
        refused(Raw.message(MAGIC, 1, 0x21, 3, 1, 0, new byte[0]), Errno.EINVAL, "unknown flags 0x20");
        refused(Raw.message(MAGIC, 1, 0x11, 3, 1, 0, new byte[0]), Errno.EINVAL, "flag MORE on a REQUEST");
        refused(Raw.message(MAGIC, 1, 0x13, 3, 1, 0, new byte[0]), Errno.EINVAL, "flag MORE on a NOTIFICATION");
    }

    @Test
    void payloadLengthMustMatchTheDatagramExactly() {
        byte[] payload = Raw.payload().u64("peer_id", 5).bytes();
        refused(Raw.message(MAGIC, 1, 1, 3, 1, payload.length + 1, payload), Errno.EINVAL,
                "payload length 22 does not match the 21 bytes");
        refused(Raw.message(MAGIC, 1, 1, 3, 1, payload.length - 1, payload), Errno.EINVAL,
                "payload length 20 does not match");
        refused(Raw.message(MAGIC, 1, 1, 3, 1, 0xFFFF_FFFFL, payload), Errno.E2BIG, "payload length 4294967295");
    }

    @Test
    void oversizedDatagramIsE2bigAndStillEchoesTheSequence() {
        byte[] big = new byte[MessageCodec.MAX_MESSAGE_BYTES + 1];
        System.arraycopy(Raw.message(MAGIC, 1, 1, 3, 99, big.length - 16, new byte[0]), 0, big, 0, 16);
        MalformedMessageException e = refused(big);
        assertEquals(Errno.E2BIG, e.errno());
        assertEquals(99, e.sequence());
        refused(new byte[70_000], Errno.EINVAL, "bad magic");
    }

    @Test
    void theLimitItselfIsAccepted() throws Exception {
        int valueBytes = MessageCodec.MAX_MESSAGE_BYTES - 16 - MessageCodec.FIELD_OVERHEAD - 1;
        byte[] max = Raw.payload().field(3, "b", new byte[valueBytes]).request(1, 1);
        assertEquals(MessageCodec.MAX_MESSAGE_BYTES, max.length);
        assertEquals(valueBytes, codec.decode(max).bytes("b").length);
        Message tooBig = Message.request(Command.NEW_PEER, 1).bytes("b", new byte[valueBytes + 1]).build();
        assertThrows(IllegalArgumentException.class, () -> codec.encode(tooBig));
    }

    @Test
    void truncatedFieldHeader() {
        refused(withField(Raw.payload().bytes(1, 7, 'p')), Errno.EINVAL, "truncated field at offset 16: 3 bytes left");
        refused(withField(Raw.payload().bytes(1, 7, 'p', 'e', 'e', 'r', '_', 'i', 'd', 0)), Errno.EINVAL,
                "its header needs 13 bytes, 10 left");
    }

    @Test
    void nameLengthOutOfRange() {
        refused(withField(Raw.payload().field(1, new byte[0], 8, new byte[8])), Errno.EINVAL, "name length 0");
        byte[] long64 = "a".repeat(64).getBytes(StandardCharsets.US_ASCII);
        refused(withField(Raw.payload().field(1, long64, 8, new byte[8])), Errno.EINVAL, "name length 64");
    }

    @Test
    void nameWithCharactersOutsideTheAlphabet() {
        for (String bad : new String[] {"Peer", "peer-id", "peer id", "peer.id"}) {
            byte[] name = bad.getBytes(StandardCharsets.US_ASCII);
            refused(withField(Raw.payload().field(1, name, 8, new byte[8])), Errno.EINVAL, "is not one of [a-z0-9_]");
        }
        refused(withField(Raw.payload().field(1, new byte[] {'a', 0}, 8, new byte[8])), Errno.EINVAL, "name byte 0x00");
        refused(withField(Raw.payload().field(1, new byte[] {(byte) 0xC3, (byte) 0xA9}, 8, new byte[8])),
                Errno.EINVAL, "name byte 0xc3");
    }

    @Test
    void valueLengthPastTheEnd() {
        byte[] name = "peer_id".getBytes(StandardCharsets.US_ASCII);
        refused(withField(Raw.payload().field(1, name, 9, new byte[8])), Errno.EINVAL,
                "field peer_id at offset 16: value length 9 runs past the end (8 bytes left)");
        refused(withField(Raw.payload().field(3, name, 0xFFFF_FFFFL, new byte[8])), Errno.EINVAL,
                "value length 4294967295 runs past the end");
        // An unknown type is skipped by its length, so its length is checked all the same.
        refused(withField(Raw.payload().field(200, name, 0x8000_0000L, new byte[8])), Errno.EINVAL,
                "value length 2147483648 runs past the end");
    }

    @Test
    void nestedLengthsAreCheckedAgainstTheNestNotTheMessage() {
        // The inner field claims 8 bytes; the nest holds 4 of them, the message has more after it.
        byte[] name = "port".getBytes(StandardCharsets.US_ASCII);
        Raw inner = Raw.payload().field(1, name, 8, new byte[4]);
        refused(withField(Raw.payload().nested("remote", inner).u64("peer_id", 1)), Errno.EINVAL,
                "field remote.port at offset 28: value length 8 runs past the end (4 bytes left)");
    }

    @Test
    void valuesThatDoNotFitTheirType() {
        refused(withField(Raw.payload().field(1, "peer_id", new byte[7])), Errno.EINVAL, "u64 takes 8 bytes, got 7");
        refused(withField(Raw.payload().field(1, "peer_id", new byte[9])), Errno.EINVAL, "u64 takes 8 bytes, got 9");
        refused(withField(Raw.payload().field(5, "flag", new byte[] {2})), Errno.EINVAL, "bool takes one byte");
        refused(withField(Raw.payload().field(5, "flag", new byte[2])), Errno.EINVAL, "bool takes one byte");
        refused(withField(Raw.payload().field(5, "flag", new byte[0])), Errno.EINVAL, "bool takes one byte");
    }

    @Test
    void stringsMustBeValidUtf8WithoutNul() {
        refused(withField(Raw.payload().field(2, "cipher", new byte[] {'A', 0, 'B'})), Errno.EINVAL,
                "field cipher: string contains NUL");
        for (byte[] bad : new byte[][] {
                {(byte) 0xC3, 0x28},                           // bad continuation
                {(byte) 0xC0, (byte) 0xAF},                    // overlong '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},       // a UTF-16 surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
                {(byte) 0xE2, (byte) 0x82}}) {                 // truncated sequence
            refused(withField(Raw.payload().field(2, "cipher", bad)), Errno.EINVAL, "field cipher: string is not valid UTF-8");
        }
    }

    @Test
    void nestingDeeperThanFourIsRefused() throws Exception {
        Raw deep = Raw.payload().u64("x", 1);
        for (int i = 0; i < MessageCodec.MAX_DEPTH; i++) {
            deep = Raw.payload().nested("n", deep);
        }
        codec.decode(withField(deep)); // four levels: fine
        MalformedMessageException e = refused(withField(Raw.payload().nested("n", deep)));
        assertEquals("field n.n.n.n.n: nested deeper than 4 levels", e.getMessage());
        Raw emptyButTooDeep = Raw.payload().field(4, "n", new byte[0]);
        for (int i = 0; i < MessageCodec.MAX_DEPTH; i++) {
            emptyButTooDeep = Raw.payload().nested("n", emptyButTooDeep);
        }
        refused(withField(emptyButTooDeep), Errno.EINVAL, "nested deeper than 4 levels");
    }

    @Test
    void tooDeepCannotBeEncodedEither() {
        Fields f = Fields.of(Field.u64("x", 1));
        for (int i = 0; i < MessageCodec.MAX_DEPTH + 1; i++) {
            f = Fields.of(Field.nested("n", f));
        }
        Message m = Message.request(Command.PING, 1).addAll(f).build();
        assertThrows(IllegalArgumentException.class, () -> codec.encode(m));
    }

    @Test
    void errorsAfterTheHeaderEchoCodeAndSequence() {
        MalformedMessageException e = refused(withField(Raw.payload().field(1, "peer_id", new byte[3])));
        assertTrue(e.hasHeader());
        assertEquals(Command.DEL_PEER.code(), e.code());
        assertEquals(42, e.sequence());
    }

    @Test
    void aSmallerLimitIsEnforced() {
        MessageCodec small = new MessageCodec(256, 1);
        byte[] big = Raw.payload().field(3, "b", new byte[300]).request(1, 1);
        assertEquals(Errno.E2BIG, assertThrows(MalformedMessageException.class, () -> small.decode(big)).errno());
        byte[] twoDeep = withField(Raw.payload().nested("a", Raw.payload().nested("b", Raw.payload())));
        assertThrows(MalformedMessageException.class, () -> small.decode(twoDeep));
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(MessageCodec.MAX_MESSAGE_BYTES + 1, 4));
        assertThrows(IllegalArgumentException.class, () -> new MessageCodec(4096, MessageCodec.MAX_DEPTH + 1));
    }
}

package dev.ovpndpdk.control.protocol;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Replies bigger than one datagram travel as parts flagged MORE, the last without. */
class MultipartReplyTest {
    private final MessageCodec codec = new MessageCodec();
    private final Message dumpAll = Message.request(Command.GET_PEER, 31).build();

    @Test
    void aBigDumpIsSplitIntoPartsThatEachFit() throws Exception {
        Message reply = Samples.peerDump(dumpAll, 2000);
        assertTrue(codec.encodedSize(reply) > 4 * MessageCodec.MAX_MESSAGE_BYTES);
        List<byte[]> datagrams = codec.encodeParts(reply);
        assertTrue(datagrams.size() >= 5, "parts: " + datagrams.size());

        ReplyAssembler assembler = new ReplyAssembler();
        Optional<Message> whole = Optional.empty();
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i);
            assertTrue(d.length <= MessageCodec.MAX_MESSAGE_BYTES);
            Message part = codec.decode(d);
            assertEquals(i < datagrams.size() - 1, part.more(), "MORE on all parts but the last");
            assertEquals(31, part.sequence());
            assertEquals(Command.GET_PEER.code(), part.code());
            assertTrue(whole.isEmpty());
            whole = assembler.add(part);
        }
        assertEquals(reply, whole.orElseThrow());
        assertFalse(assembler.inProgress());
        assertEquals(2000, whole.get().allNested(PEER).size());
        assertEquals(0, whole.get().error());
    }

    @Test
    void partsArePackedFullAndTheErrorFieldLeads() throws Exception {
        MessageCodec small = new MessageCodec(1024, MessageCodec.MAX_DEPTH);
        Message reply = Samples.peerDump(dumpAll, 40);
        List<Message> parts = small.split(reply);
        assertEquals(FieldNames.ERROR, parts.get(0).fields().list().get(0).name());
        assertEquals(0, parts.get(0).error());
        for (int i = 0; i < parts.size() - 1; i++) {
            long size = small.encodedSize(parts.get(i));
            assertTrue(size <= 1024);
            // Greedy: the next part's first field would not have fit in this one.
            Field next = parts.get(i + 1).fields().list().get(0);
            long nextBytes = small.encodedSize(Message.request(Command.PING, 1).add(next).build())
                    - MessageCodec.HEADER_BYTES;
            assertTrue(size + nextBytes > 1024, "part " + i + " could have held more");
        }
        assertEquals(reply, ReplyAssembler.join(parts));
    }

    @Test
    void aReplyThatFitsIsOnePartWithoutMore() throws Exception {
        Message reply = Samples.peerDump(dumpAll, 3);
        List<byte[]> parts = codec.encodeParts(reply);
        assertEquals(1, parts.size());
        Message only = codec.decode(parts.get(0));
        assertFalse(only.more());
        assertEquals(reply, new ReplyAssembler().add(only).orElseThrow());
    }

    @Test
    void onlyRepliesAreSplitAndAFieldTooBigForAPartIsRefused() {
        MessageCodec small = new MessageCodec(512, MessageCodec.MAX_DEPTH);
        Message bigRequest = Message.request(Command.NEW_PEER, 1).bytes("b", new byte[600]).build();
        assertThrows(IllegalArgumentException.class, () -> small.split(bigRequest));
        Message oneHugeField = Message.replyTo(dumpAll).bytes("b", new byte[600]).build();
        assertThrows(IllegalArgumentException.class, () -> small.split(oneHugeField));
        assertThrows(IllegalArgumentException.class, () -> small.encode(oneHugeField));
    }

    @Test
    void assemblerRefusesAPartOfAnotherReply() throws Exception {
        MessageCodec small = new MessageCodec(1024, MessageCodec.MAX_DEPTH);
        List<Message> parts = small.split(Samples.peerDump(dumpAll, 20));
        Message stranger = small.split(Samples.peerDump(Message.request(Command.GET_PEER, 32).build(), 20)).get(1);
        ReplyAssembler a = new ReplyAssembler();
        assertTrue(a.add(parts.get(0)).isEmpty());
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> a.add(stranger));
        assertEquals(Errno.EINVAL, e.errno());
        assertFalse(a.inProgress(), "reset after an error");
        assertThrows(MalformedMessageException.class,
                () -> a.add(Samples.notifications().get(0)));
    }

    @Test
    void assemblerBoundsTheNumberOfParts() throws Exception {
        MessageCodec small = new MessageCodec(1024, MessageCodec.MAX_DEPTH);
        List<Message> parts = small.split(Samples.peerDump(dumpAll, 50));
        assertTrue(parts.size() > 5);
        ReplyAssembler a = new ReplyAssembler(5);
        List<Message> firstFive = new ArrayList<>(parts.subList(0, 5));
        for (Message p : firstFive) {
            assertTrue(a.add(p).isEmpty());
        }
        assertEquals(Errno.E2BIG, assertThrows(MalformedMessageException.class, () -> a.add(parts.get(5))).errno());
    }

    @Test
    void joinNeedsTheLastPartAndNothingAfterIt() throws Exception {
        MessageCodec small = new MessageCodec(1024, MessageCodec.MAX_DEPTH);
        List<Message> parts = small.split(Samples.peerDump(dumpAll, 20));
        assertThrows(MalformedMessageException.class, () -> ReplyAssembler.join(parts.subList(0, parts.size() - 1)));
        List<Message> extra = new ArrayList<>(parts);
        extra.add(parts.get(parts.size() - 1));
        assertThrows(MalformedMessageException.class, () -> ReplyAssembler.join(extra));
        assertThrows(MalformedMessageException.class, () -> ReplyAssembler.join(List.of()));
    }
}

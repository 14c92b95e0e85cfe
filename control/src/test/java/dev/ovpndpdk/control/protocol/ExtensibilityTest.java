package dev.ovpndpdk.control.protocol;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What lets the format grow: unknown names and types pass through or are skipped, names repeat. */
class ExtensibilityTest {
    private final MessageCodec codec = new MessageCodec();

    @Test
    void unknownFieldNamesAreKeptButIgnoredByTheAccessors() throws Exception {
        Message m = codec.decode(Raw.payload().u64("from_the_future", 9).u64(PEER_ID, 5)
                .request(Command.DEL_PEER.code(), 1));
        assertEquals(5, m.u64(PEER_ID));
        assertEquals(2, m.fields().size());
    }

    @Test
    void unknownTypesAreSkippedByTheirLength() throws Exception {
        Message m = codec.decode(Raw.payload()
                .field(6, "float64", new byte[] {1, 2, 3, 4, 5, 6, 7, 8})
                .u64(PEER_ID, 5)
                .field(0, "reserved", new byte[0])
                .field(255, "blob", new byte[1000])
                .request(Command.DEL_PEER.code(), 1));
        assertEquals(List.of(Field.u64(PEER_ID, 5)), m.fields().list());
    }

    @Test
    void unknownTypesInsideNestsAreSkippedToo() throws Exception {
        Message m = codec.decode(Raw.payload()
                .nested(REMOTE, Raw.payload().field(77, "ipv8", new byte[40])
                        .field(3, ADDRESS, new byte[] {10, 0, 0, 1}).u64(PORT, 1194))
                .request(Command.NEW_PEER.code(), 1));
        assertEquals(1194, SockAddrField.get(m.fields(), REMOTE).getPort());
    }

    @Test
    void anUnknownTypesValueIsNotInterpreted() throws Exception {
        // Bytes that would be a malformed field if parsed as one: they are only skipped.
        Message m = codec.decode(Raw.payload().field(9, "opaque", new byte[] {4, 0, (byte) 0xFF})
                .request(Command.PING.code(), 1));
        assertTrue(m.fields().isEmpty());
    }

    @Test
    void unknownCommandCodesStillDecode() throws Exception {
        Message m = codec.decode(Raw.payload().u64(PEER_ID, 1).request(4000, 8));
        assertTrue(m.command().isEmpty());
        assertEquals(4000, m.code());
        Message reply = Message.errorReply(m.code(), m.sequence(), Errno.ENOTSUP, "unknown command 4000");
        assertEquals(4000, codec.decode(codec.encode(reply)).code());
    }

    @Test
    void repeatedNamesAreArraysInOrder() throws Exception {
        Message m = codec.decode(codec.encode(Message.request(Command.PING, 1)
                .string(CIPHER, "AES-128-GCM").u64("other", 1).string(CIPHER, "CHACHA20-POLY1305").build()));
        assertEquals(List.of("AES-128-GCM", "CHACHA20-POLY1305"), m.fields().allStrings(CIPHER));
        assertEquals(2, m.all(CIPHER).size());
        assertTrue(m.all("absent").isEmpty());
        assertTrue(m.allNested("absent").isEmpty());
    }

    @Test
    void aRepeatedSingleValueIsRefusedRatherThanGuessed() throws Exception {
        Message m = codec.decode(Raw.payload().u64(PEER_ID, 1).u64(PEER_ID, 2).request(3, 1));
        FieldException e = assertThrows(FieldException.class, () -> m.u64(PEER_ID));
        assertEquals(FieldException.Problem.REPEATED, e.problem());
        assertEquals("field peer_id: given 2 times, expected once", e.getMessage());
    }

    @Test
    void emptyPayloadIsFine() throws Exception {
        Message m = codec.decode(Raw.payload().request(Command.GET_STATS.code(), 3));
        assertTrue(m.fields().isEmpty());
        assertFalse(m.optU64(PEER_ID).isPresent());
    }
}

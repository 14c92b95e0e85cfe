package dev.ovpndpdk.control.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hex dumps in docs/control-protocol.md are what the encoder produces, byte for byte. */
class WorkedExampleTest {
    private final MessageCodec codec = new MessageCodec();
    private final Message request = Message.request(Command.DEL_PEER, 7).u64(FieldNames.PEER_ID, 5).build();

    /** The bytes of the fenced block after {@code <!-- hex: name -->}: hex before the first double space of each line. */
    private static byte[] documented(String name) throws IOException {
        List<String> lines = Files.readAllLines(RepoFiles.docs().resolve("control-protocol.md"));
        int at = lines.indexOf("<!-- hex: " + name + " -->");
        assertTrue(at >= 0, "marker for " + name + " in control-protocol.md");
        assertEquals("```", lines.get(at + 1));
        StringBuilder hex = new StringBuilder();
        for (int i = at + 2; !lines.get(i).equals("```"); i++) {
            String bytes = lines.get(i).split(" {2,}", 2)[0];
            assertTrue(bytes.matches("[0-9a-f]{2}( [0-9a-f]{2})*"), "line " + (i + 1) + ": " + lines.get(i));
            hex.append(bytes.replace(" ", ""));
        }
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void delPeerRequest() throws Exception {
        byte[] doc = documented("del_peer_request");
        assertArrayEquals(codec.encode(request), doc);
        assertEquals(request, codec.decode(doc));
    }

    @Test
    void delPeerReply() throws Exception {
        assertArrayEquals(codec.encode(Message.replyTo(request).build()), documented("del_peer_reply"));
    }

    @Test
    void delPeerErrorReply() throws Exception {
        Message reply = Message.errorReplyTo(request, new ErrnoException(Errno.ENOENT, "no peer 5"));
        assertArrayEquals(codec.encode(reply), documented("del_peer_error_reply"));
    }
}

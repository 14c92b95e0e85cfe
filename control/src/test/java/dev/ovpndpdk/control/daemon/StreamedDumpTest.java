package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.ReplyAssembler;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GET_PEER dump far bigger than the socket buffer is streamed: the daemon builds parts as
 * the reader takes them, serves other clients meanwhile, and the dump is the table as it was
 * when asked, by peer-id.
 */
@Timeout(60)
class StreamedDumpTest {
    @TempDir
    Path dir;

    private static Fields newPeer(int id) throws IOException {
        byte[] a = {100, 64, (byte) (id >> 8), (byte) id};
        return Fields.builder()
                .u64(FieldNames.PEER_ID, id)
                .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(InetAddress.getByAddress(
                        new byte[] {10, 10, (byte) (id >> 8), (byte) id}), 1194)))
                .bytes(FieldNames.VPN_IPV4, a)
                .build();
    }

    @Test
    void aSlowReaderGetsTheWholeSnapshotWhileOthersAreServed() throws Exception {
        int n = 3000; // ~2 MiB: many times what the socket buffers hold
        try (InProcessDaemon daemon = InProcessDaemon.start(dir, Mode.MP);
             ControlClient operator = daemon.client();
             ControlClient reader = daemon.client()) {
            for (int id = n; id >= 1; id--) { // added in reverse: the dump still comes by peer-id
                operator.call(Command.NEW_PEER, newPeer(id));
            }
            MessageCodec codec = new MessageCodec();
            reader.send(codec.encode(Message.request(Command.GET_PEER, 77).build()));
            Thread.sleep(200); // the daemon fills the reader's socket and waits for POLLOUT

            // Meanwhile the table changes, and the operator is answered at once.
            operator.call(Command.NEW_PEER, newPeer(n + 1));
            operator.call(Command.DEL_PEER, Fields.builder().u64(FieldNames.PEER_ID, 5).build());
            assertEquals(n, operator.call(Command.GET_STATS, Fields.empty()).u64(FieldNames.PEER_COUNT));

            ReplyAssembler parts = new ReplyAssembler();
            Optional<Message> whole = Optional.empty();
            int count = 0;
            while (whole.isEmpty()) {
                Message m = reader.receive(Duration.ofSeconds(10)).orElseThrow();
                assertEquals(Kind.REPLY, m.kind());
                whole = parts.add(m);
                count++;
            }
            assertTrue(count > 20, count + " parts");
            List<Fields> peers = whole.get().allNested(FieldNames.PEER);
            assertEquals(n, peers.size(), "the table as it was when asked");
            for (int i = 0; i < n; i++) {
                assertEquals(i + 1, peers.get(i).u64(FieldNames.PEER_ID), "by peer-id");
            }
            assertEquals(n, operator.call(Command.GET_PEER, Fields.empty()).allNested(FieldNames.PEER).size());
        }
    }
}

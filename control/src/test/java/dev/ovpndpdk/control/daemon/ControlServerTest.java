package dev.ovpndpdk.control.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.client.RequestRefusedException;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.PrefixField;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.dataplane.engine.RequestException;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control server and client end to end over a real socket, around an engine without workers. */
@Timeout(30)
class ControlServerTest {
    @TempDir
    Path dir;

    private InProcessDaemon daemon;
    private ControlClient client;

    @BeforeEach
    void start() throws IOException {
        daemon = InProcessDaemon.start(dir, Mode.MP);
        client = daemon.client();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        daemon.close();
    }

    static Fields newPeer(int id, String vpn4) throws IOException {
        return Fields.builder()
                .u64(FieldNames.PEER_ID, id)
                .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(InetAddress.ofLiteral("10.10.0." + id), 1194)))
                .bytes(FieldNames.VPN_IPV4, InetAddress.ofLiteral(vpn4).getAddress())
                .build();
    }

    static Fields peerId(int id) {
        return Fields.builder().u64(FieldNames.PEER_ID, id).build();
    }

    static Fields newKey(int peer, long slot, int keyId, String cipher, int keyLength) {
        byte[] k = new byte[keyLength];
        new java.util.Random(keyId).nextBytes(k);
        Fields direction = Fields.builder().bytes(FieldNames.KEY, k).bytes(FieldNames.NONCE_TAIL, new byte[8]).build();
        return Fields.builder().u64(FieldNames.PEER_ID, peer).u64(FieldNames.SLOT, slot)
                .u64(FieldNames.KEY_ID, keyId).string(FieldNames.CIPHER, cipher)
                .nested(FieldNames.ENCRYPT, direction).nested(FieldNames.DECRYPT, direction).build();
    }

    private RequestRefusedException refused(int errno, String message, Command c, Fields f) {
        RequestRefusedException e = assertThrows(RequestRefusedException.class, () -> client.call(c, f));
        assertEquals(Errno.name(errno), e.errnoName(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
        return e;
    }

    @Test
    void socketFileIsPrivateToItsUser() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket)));
    }

    @Test
    void pingTellsVersionCiphersAndPeerCount() throws Exception {
        Message r = client.call(Command.PING, Fields.empty());
        assertEquals(MessageCodec.VERSION, r.u64(FieldNames.PROTOCOL_VERSION));
        assertEquals("test", r.string(FieldNames.DAEMON_VERSION));
        assertTrue(r.fields().allStrings(FieldNames.CIPHER).contains("AES-256-GCM"));
        assertEquals(0, r.u64(FieldNames.PEER_COUNT));
    }

    @Test
    void newPeerShowsUpInGetPeerWithAddressesKeepaliveAndCounters() throws Exception {
        client.call(Command.NEW_PEER, Fields.builder().addAll(newPeer(1, "5.5.5.2"))
                .u64(FieldNames.KEEPALIVE_INTERVAL, 10).u64(FieldNames.KEEPALIVE_TIMEOUT, 60).build());
        Fields p = client.call(Command.GET_PEER, peerId(1)).nested(FieldNames.PEER);
        assertEquals(1, p.u64(FieldNames.PEER_ID));
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("10.10.0.1"), 1194), SockAddrField.get(p, FieldNames.REMOTE));
        assertEquals("5.5.5.2", InetAddress.getByAddress(p.bytes(FieldNames.VPN_IPV4)).getHostAddress());
        assertEquals(10, p.u64(FieldNames.KEEPALIVE_INTERVAL));
        assertEquals(60, p.u64(FieldNames.KEEPALIVE_TIMEOUT));
        assertEquals(0, p.u64(FieldNames.LINK_RX_PACKETS));
        assertEquals(0, p.u64(FieldNames.VPN_TX_BYTES));
        assertTrue(p.u64sWithPrefix(FieldNames.DROP_PREFIX).containsKey("replay"), p.toString());
        assertTrue(p.has(PeerFields.LAST_RX_AGE_MS));
        client.call(Command.SET_PEER, Fields.builder().addAll(peerId(1))
                .u64(FieldNames.KEEPALIVE_INTERVAL, 0).u64(FieldNames.KEEPALIVE_TIMEOUT, 0).build());
        assertEquals(0, client.call(Command.GET_PEER, peerId(1)).nested(FieldNames.PEER).u64(FieldNames.KEEPALIVE_TIMEOUT));
    }

    @Test
    void aDumpOfManyPeersComesInPartsAndJoinsWhole() throws Exception {
        int n = 150; // ~700 bytes each: more than one 64 KiB part
        for (int i = 1; i <= n; i++) {
            client.call(Command.NEW_PEER, newPeer(i, "5.5." + (i / 200) + "." + (i % 200 + 2)));
        }
        Message all = client.call(Command.GET_PEER, Fields.empty());
        assertEquals(n, all.allNested(FieldNames.PEER).size());
        assertTrue(new MessageCodec().encodedSize(all) > MessageCodec.MAX_MESSAGE_BYTES);
        assertEquals(n, client.call(Command.GET_STATS, Fields.empty()).u64(FieldNames.PEER_COUNT));
    }

    @Test
    void everyEngineRefusalHasItsErrnoAndMessage() throws Exception {
        refused(Errno.ENOENT, "no peer 9", Command.DEL_PEER, peerId(9));
        refused(Errno.ENOENT, "no peer 9", Command.GET_PEER, peerId(9));
        refused(Errno.EINVAL, "an mp-mode peer needs a VPN IPv4 or IPv6 address", Command.NEW_PEER,
                Fields.builder().u64(FieldNames.PEER_ID, 1).add(SockAddrField.field(FieldNames.REMOTE,
                        new InetSocketAddress(InetAddress.ofLiteral("10.0.0.1"), 1))).build());
        client.call(Command.NEW_PEER, newPeer(1, "5.5.5.2"));
        refused(Errno.EEXIST, "peer 1 exists", Command.NEW_PEER, newPeer(1, "5.5.5.9"));
        refused(Errno.EADDRINUSE, null, Command.NEW_PEER, newPeer(2, "5.5.5.2"));
        refused(Errno.ENOLINK, null, Command.SWAP_KEYS, peerId(1));
        refused(Errno.ENOENT, "peer 1 has no primary key", Command.GET_KEY,
                Fields.builder().addAll(peerId(1)).u64(FieldNames.SLOT, 0).build());
        refused(Errno.ENOTSUP, null, Command.NEW_KEY, newKey(1, 0, 0, "none", 32));
        refused(Errno.EINVAL, "missing field peer_id", Command.DEL_PEER, Fields.empty());
        refused(Errno.EINVAL, "field encrypt.key: expected 32 bytes, got 16", Command.NEW_KEY,
                newKey(1, 0, 0, "AES-256-GCM", 16));
        refused(Errno.EINVAL, "keepalive_interval and keepalive_timeout go together", Command.NEW_PEER,
                Fields.builder().addAll(newPeer(3, "5.5.5.3")).u64(FieldNames.KEEPALIVE_INTERVAL, 1).build());
        refused(Errno.EBADF, null, Command.NEW_PEER,
                Fields.builder().addAll(newPeer(3, "5.5.5.3")).u64(FieldNames.SOCKET, 0).build());
        assertEquals(0, client.call(Command.PING, Fields.empty()).error(), "the connection goes on");
    }

    @Test
    void keysGoInGetDescribesThemWithoutBytesSwapAndDelete() throws Exception {
        client.call(Command.NEW_PEER, newPeer(1, "5.5.5.2"));
        client.call(Command.NEW_KEY, newKey(1, 0, 3, "AES-256-GCM", 32));
        client.call(Command.NEW_KEY, newKey(1, 1, 4, "CHACHA20-POLY1305", 32));
        Message k = client.call(Command.GET_KEY, Fields.builder().addAll(peerId(1)).u64(FieldNames.SLOT, 0).build());
        assertEquals(3, k.u64(FieldNames.KEY_ID));
        assertEquals("AES-256-GCM", k.string(FieldNames.CIPHER));
        assertEquals(0, k.u64(FieldNames.TX_PACKET_ID));
        assertFalse(k.toString().contains("key=") || k.has(FieldNames.ENCRYPT) || k.has(FieldNames.NONCE_TAIL), k.toString());
        client.call(Command.SWAP_KEYS, peerId(1));
        assertEquals(4, client.call(Command.GET_KEY, Fields.builder().addAll(peerId(1)).u64(FieldNames.SLOT, 0).build())
                .u64(FieldNames.KEY_ID));
        Fields secondary = Fields.builder().addAll(peerId(1)).u64(FieldNames.SLOT, 1).build();
        client.call(Command.DEL_KEY, secondary);
        client.call(Command.DEL_KEY, secondary); // emptying an empty slot succeeds
        refused(Errno.ENOENT, "peer 1 has no secondary key", Command.GET_KEY, secondary);
        refused(Errno.ENOENT, "no peer 2", Command.DEL_KEY, Fields.builder().addAll(peerId(2)).u64(FieldNames.SLOT, 1).build());
    }

    @Test
    void iroutesAreAddedShownAndRemoved() throws Exception {
        client.call(Command.NEW_PEER, newPeer(1, "5.5.5.2"));
        client.call(Command.NEW_PEER, newPeer(2, "5.5.5.3"));
        PrefixField lan = new PrefixField(InetAddress.ofLiteral("10.1.0.0"), 16);
        client.call(Command.ADD_ROUTE, Fields.builder().addAll(peerId(1)).add(lan.toField(FieldNames.PREFIX)).build());
        refused(Errno.EEXIST, "prefix 10.1.0.0/16 is routed to peer 1 already", Command.ADD_ROUTE,
                Fields.builder().addAll(peerId(2)).add(lan.toField(FieldNames.PREFIX)).build());
        Fields p = client.call(Command.GET_PEER, peerId(1)).nested(FieldNames.PEER);
        assertEquals(List.of(lan), PrefixField.all(p, FieldNames.PREFIX));
        refused(Errno.ENOENT, null, Command.DEL_ROUTE,
                Fields.builder().addAll(peerId(2)).add(lan.toField(FieldNames.PREFIX)).build());
        client.call(Command.DEL_ROUTE, Fields.builder().add(lan.toField(FieldNames.PREFIX)).build());
        refused(Errno.ENOENT, "no route 10.1.0.0/16", Command.DEL_ROUTE,
                Fields.builder().add(lan.toField(FieldNames.PREFIX)).build());
    }

    @Test
    void statsCountPeersTrafficAndDrops() throws Exception {
        client.call(Command.NEW_PEER, newPeer(1, "5.5.5.2"));
        Message s = client.call(Command.GET_STATS, Fields.empty());
        assertEquals(1, s.u64(FieldNames.PEER_COUNT));
        assertEquals(0, s.u64(FieldNames.LINK_RX_BYTES));
        assertTrue(s.fields().u64sWithPrefix(FieldNames.DROP_PREFIX).containsKey("auth_failed"), s.toString());
    }

    @Test
    void unknownCommandIsNotSupported() throws Exception {
        client.send(new MessageCodec().encode(Message.request(77, 5).build()));
        Message r = client.receive(Duration.ofSeconds(5)).orElseThrow();
        assertEquals(Kind.REPLY, r.kind());
        assertEquals(77, r.code());
        assertEquals(5, r.sequence());
        assertEquals(Errno.ENOTSUP, r.error());
        assertEquals("unknown command 77", r.errorMessage().orElseThrow());
    }

    @Test
    void engineKindsMapToTheKernelsErrnos() {
        assertEquals(Errno.ENOENT, Handlers.errno(RequestException.Kind.NOT_FOUND));
        assertEquals(Errno.EEXIST, Handlers.errno(RequestException.Kind.EXISTS));
        assertEquals(Errno.EINVAL, Handlers.errno(RequestException.Kind.INVALID));
        assertEquals(Errno.ENOLINK, Handlers.errno(RequestException.Kind.NO_KEY));
        assertEquals(Errno.EADDRINUSE, Handlers.errno(RequestException.Kind.ADDRESS_IN_USE));
        assertEquals(Errno.ENOTSUP, Handlers.errno(RequestException.Kind.NOT_SUPPORTED));
    }
}

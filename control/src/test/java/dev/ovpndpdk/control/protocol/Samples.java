package dev.ovpndpdk.control.protocol;

import dev.ovpndpdk.dataplane.engine.DeleteReason;

import static dev.ovpndpdk.control.protocol.FieldNames.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One message of every shape the protocol has: each command's request and reply, each notification. */
final class Samples {
    private Samples() {
    }

    static final InetSocketAddress REMOTE_V4 = new InetSocketAddress(ip("192.0.2.1"), 1194);
    static final InetSocketAddress LOCAL_V4 = new InetSocketAddress(ip("198.51.100.7"), 1194);
    static final InetSocketAddress REMOTE_V6 = new InetSocketAddress(ip("2001:db8::1"), 51820);

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] seq(int n, int from) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static Fields keyDir(int keyBytes, int from) {
        return Fields.builder().bytes(KEY, seq(keyBytes, from)).bytes(NONCE_TAIL, seq(8, from + 100)).build();
    }

    /** Requests by command; GET_PEER has two shapes, so the key is a label. */
    static Map<String, Message> requests() {
        Map<String, Message> m = new LinkedHashMap<>();
        long s = 1;
        m.put("NEW_PEER", Message.request(Command.NEW_PEER, s++)
                .u64(PEER_ID, 5)
                .add(SockAddrField.field(REMOTE, REMOTE_V4))
                .add(SockAddrField.field(LOCAL, LOCAL_V4))
                .u64(SOCKET, 0)
                .bytes(VPN_IPV4, ip("10.8.0.6").getAddress())
                .bytes(VPN_IPV6, ip("fd00::6").getAddress())
                .u64(KEEPALIVE_INTERVAL, 10)
                .u64(KEEPALIVE_TIMEOUT, 60)
                .build());
        m.put("SET_PEER", Message.request(Command.SET_PEER, s++)
                .u64(PEER_ID, 5).u64(KEEPALIVE_INTERVAL, 10).u64(KEEPALIVE_TIMEOUT, 120).build());
        m.put("DEL_PEER", Message.request(Command.DEL_PEER, s++).u64(PEER_ID, 5).build());
        m.put("GET_PEER one", Message.request(Command.GET_PEER, s++).u64(PEER_ID, 5).build());
        m.put("GET_PEER all", Message.request(Command.GET_PEER, s++).build());
        m.put("NEW_KEY", Message.request(Command.NEW_KEY, s++)
                .u64(PEER_ID, 5).u64(SLOT, SLOT_PRIMARY).u64(KEY_ID, 1).string(CIPHER, "AES-256-GCM")
                .nested(ENCRYPT, keyDir(32, 0)).nested(DECRYPT, keyDir(32, 50)).build());
        m.put("SWAP_KEYS", Message.request(Command.SWAP_KEYS, s++).u64(PEER_ID, 5).build());
        m.put("DEL_KEY", Message.request(Command.DEL_KEY, s++).u64(PEER_ID, 5).u64(SLOT, SLOT_SECONDARY).build());
        m.put("GET_KEY", Message.request(Command.GET_KEY, s++).u64(PEER_ID, 5).u64(SLOT, SLOT_PRIMARY).build());
        m.put("GET_STATS", Message.request(Command.GET_STATS, s++).build());
        m.put("ADD_ROUTE", Message.request(Command.ADD_ROUTE, s++)
                .u64(PEER_ID, 5).add(new PrefixField(ip("10.9.0.0"), 24).toField(PREFIX)).build());
        m.put("DEL_ROUTE", Message.request(Command.DEL_ROUTE, s++)
                .add(new PrefixField(ip("2001:db8:5::"), 48).toField(PREFIX)).build());
        m.put("SUBSCRIBE", Message.request(Command.SUBSCRIBE, s++).build());
        m.put("PING", Message.request(Command.PING, s++).build());
        return m;
    }

    static Fields counters(long base) {
        return Fields.builder()
                .u64(VPN_RX_BYTES, base + 1).u64(VPN_TX_BYTES, base + 2)
                .u64(VPN_RX_PACKETS, base + 3).u64(VPN_TX_PACKETS, base + 4)
                .u64(LINK_RX_BYTES, base + 5).u64(LINK_TX_BYTES, base + 6)
                .u64(LINK_RX_PACKETS, base + 7).u64(LINK_TX_PACKETS, base + 8)
                .u64(drop("auth_failed"), 3).u64(drop("replay"), 1)
                .build();
    }

    static Fields peer(long id) {
        return Fields.builder()
                .u64(PEER_ID, id)
                .add(SockAddrField.field(REMOTE, REMOTE_V4))
                .bytes(VPN_IPV4, ip("10.8.0.6").getAddress())
                .u64(KEEPALIVE_INTERVAL, 10).u64(KEEPALIVE_TIMEOUT, 60)
                .add(new PrefixField(ip("10.9.0.0"), 24).toField(PREFIX))
                .add(new PrefixField(ip("10.10.0.0"), 16).toField(PREFIX))
                .addAll(counters(id * 1000))
                .build();
    }

    /** A GET_PEER dump of {@code peers} peers. */
    static Message peerDump(Message request, int peers) {
        Message.Builder b = Message.replyTo(request);
        for (int i = 0; i < peers; i++) {
            b.nested(PEER, peer(i));
        }
        return b.build();
    }

    /** The reply of every request of {@link #requests()}, success or error. */
    static List<Message> replies() {
        List<Message> out = new ArrayList<>();
        for (Map.Entry<String, Message> e : requests().entrySet()) {
            Message rq = e.getValue();
            out.add(switch (e.getKey()) {
                case "GET_PEER one" -> peerDump(rq, 1);
                case "GET_PEER all" -> peerDump(rq, 3);
                case "GET_KEY" -> Message.replyTo(rq).u64(PEER_ID, 5).u64(SLOT, SLOT_PRIMARY).u64(KEY_ID, 1)
                        .string(CIPHER, "AES-256-GCM").u64(TX_PACKET_ID, 12345).build();
                case "GET_STATS" -> Message.replyTo(rq).u64(PEER_COUNT, 3).addAll(counters(0)).build();
                case "PING" -> Message.replyTo(rq).u64(PROTOCOL_VERSION, MessageCodec.VERSION)
                        .string(DAEMON_VERSION, "0.1.0").string(CIPHER, "AES-128-GCM")
                        .string(CIPHER, "AES-192-GCM").string(CIPHER, "AES-256-GCM")
                        .string(CIPHER, "CHACHA20-POLY1305").u64(PEER_COUNT, 3).build();
                case "SWAP_KEYS" -> Message.errorReply(rq.code(), rq.sequence(), Errno.ENOLINK,
                        "peer 5 has no complete secondary key");
                default -> Message.replyTo(rq).build();
            });
        }
        return out;
    }

    static List<Message> notifications() {
        return List.of(
                Message.notification(Notification.PEER_DELETED, 1)
                        .u64(PEER_ID, 5).u64(REASON, DeleteReason.EXPIRED.code)
                        .string(REASON_NAME, DeleteReason.EXPIRED.reasonName())
                        .addAll(counters(7000)).build(),
                Message.notification(Notification.KEY_ROTATE, 2)
                        .u64(PEER_ID, 5).u64(KEY_ID, 1).u64(SLOT, SLOT_PRIMARY).build(),
                Message.notification(Notification.PEER_FLOAT, 3)
                        .u64(PEER_ID, 5).add(SockAddrField.field(REMOTE, REMOTE_V6)).build());
    }

    /** Every sample: requests, replies, notifications. */
    static List<Message> all() {
        List<Message> out = new ArrayList<>(requests().values());
        out.addAll(replies());
        out.addAll(notifications());
        return out;
    }
}

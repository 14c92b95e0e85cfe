package dev.ovpndpdk.control.daemon;

import static dev.ovpndpdk.control.protocol.FieldNames.*;

import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.PrefixField;
import dev.ovpndpdk.control.protocol.SockAddrField;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A control-socket session as one fuzz input: datagrams, each a 2-byte big-endian length
 * and that many bytes (the last one takes what is left when the length runs past the end).
 * The seeds are what an OpenVPN server sends over a client's life, so that byte mutations
 * start from requests the handlers accept.
 */
final class ControlSession {
    private static final MessageCodec CODEC = new MessageCodec();

    private ControlSession() {
    }

    static List<byte[]> split(byte[] input) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at + 2 <= input.length) {
            int n = Math.min((input[at] & 0xFF) << 8 | (input[at + 1] & 0xFF), input.length - at - 2);
            byte[] d = new byte[n];
            System.arraycopy(input, at + 2, d, 0, n);
            out.add(d);
            at += 2 + n;
        }
        return out;
    }

    static byte[] join(List<Message> messages) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Message m : messages) {
            byte[] d = CODEC.encode(m);
            b.write(d.length >>> 8);
            b.write(d.length);
            b.writeBytes(d);
        }
        return b.toByteArray();
    }

    /** A peer's whole life as OpenVPN drives it, in both address families, and one of each other command. */
    static List<byte[]> seeds() {
        List<Message> life = new ArrayList<>(freshPeer(5, 1));
        long s = 20;
        life.add(Message.request(Command.NEW_KEY, s++).u64(PEER_ID, 5).u64(SLOT, SLOT_SECONDARY).u64(KEY_ID, 2)
                .string(CIPHER, "CHACHA20-POLY1305").nested(ENCRYPT, keyDir(32, 9)).nested(DECRYPT, keyDir(32, 70))
                .build());
        life.add(Message.request(Command.SWAP_KEYS, s++).u64(PEER_ID, 5).build());
        life.add(Message.request(Command.GET_KEY, s++).u64(PEER_ID, 5).u64(SLOT, SLOT_PRIMARY).build());
        life.add(Message.request(Command.DEL_KEY, s++).u64(PEER_ID, 5).u64(SLOT, SLOT_SECONDARY).build());
        life.add(Message.request(Command.SET_PEER, s++).u64(PEER_ID, 5).u64(KEEPALIVE_INTERVAL, 10)
                .u64(KEEPALIVE_TIMEOUT, 120).add(SockAddrField.field(REMOTE, new InetSocketAddress(ip("2001:db8::9"), 1195)))
                .build());
        life.add(Message.request(Command.DEL_ROUTE, s++).add(new PrefixField(ip("10.9.0.0"), 24).toField(PREFIX)).build());
        life.add(Message.request(Command.GET_PEER, s++).build());
        life.add(Message.request(Command.SUBSCRIBE, s++).build());
        life.add(Message.request(Command.PING, s++).build());
        life.add(Message.request(Command.ATTACH, s++).u64(SOCKET, 0).build());
        life.add(Message.request(Command.DEL_PEER, s++).u64(PEER_ID, 5).build());

        List<Message> v6 = List.of(Message.request(Command.NEW_PEER, 40).u64(PEER_ID, 9).u64(PeerFields.TX_ID, 18)
                        .add(SockAddrField.field(REMOTE, new InetSocketAddress(ip("2001:db8::1"), 51820)))
                        .add(SockAddrField.field(LOCAL, new InetSocketAddress(ip("::"), 1194)))
                        .bytes(VPN_IPV6, ip("fd00::6").getAddress()).build(),
                Message.request(Command.ADD_ROUTE, 41).u64(PEER_ID, 9)
                        .add(new PrefixField(ip("2001:db8:5::"), 48).toField(PREFIX)).build(),
                Message.request(Command.GET_PEER, 42).u64(PEER_ID, 9).build());
        return List.of(join(life), join(v6), join(freshPeer(1, 60)));
    }

    /** NEW_PEER, NEW_KEY (primary), ADD_ROUTE, GET_PEER, GET_STATS for peer {@code id}; all must succeed on an empty daemon. */
    static List<Message> freshPeer(int id, long sequence) {
        long s = sequence;
        return List.of(
                Message.request(Command.NEW_PEER, s++).u64(PEER_ID, id)
                        .add(SockAddrField.field(REMOTE, new InetSocketAddress(ip("198.51.100.1"), 40000 + id)))
                        .bytes(VPN_IPV4, ip("10.8.0." + (id + 1)).getAddress())
                        .u64(KEEPALIVE_INTERVAL, 10).u64(KEEPALIVE_TIMEOUT, 60).build(),
                Message.request(Command.NEW_KEY, s++).u64(PEER_ID, id).u64(SLOT, SLOT_PRIMARY).u64(KEY_ID, 1)
                        .string(CIPHER, "AES-256-GCM").nested(ENCRYPT, keyDir(32, 0)).nested(DECRYPT, keyDir(32, 50))
                        .build(),
                Message.request(Command.ADD_ROUTE, s++).u64(PEER_ID, id)
                        .add(new PrefixField(ip("10.9.0.0"), 24).toField(PREFIX)).build(),
                Message.request(Command.GET_PEER, s++).u64(PEER_ID, id).build(),
                Message.request(Command.GET_STATS, s).build());
    }

    private static Fields keyDir(int keyBytes, int from) {
        byte[] key = new byte[keyBytes];
        byte[] tail = new byte[8];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (from + i);
        }
        for (int i = 0; i < tail.length; i++) {
            tail[i] = (byte) (from + 100 + i);
        }
        return Fields.builder().bytes(KEY, key).bytes(NONCE_TAIL, tail).build();
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

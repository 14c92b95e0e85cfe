package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.daemon.PeerFields;
import dev.ovpndpdk.control.protocol.Field;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;

import java.util.Locale;

/**
 * The human output of the control commands: one compact line per peer, key, stats or event,
 * in the spirit of {@code ip -brief} — what an operator scans, not what a script parses
 * (that is {@code --json}). Lenient on purpose: a field missing from the reply is left out
 * of the line, never an error.
 */
final class Text {
    private Text() {
    }

    /** {@code peer 1  remote 10.0.0.2:1194  vpn 5.5.5.2  keepalive 10/60  …  drops: replay 2}. */
    static String peer(Fields p) {
        StringBuilder sb = new StringBuilder("peer ").append(u(p, FieldNames.PEER_ID));
        if (p.has(PeerFields.TX_ID)) {
            sb.append(" (tx-id ").append(u(p, PeerFields.TX_ID)).append(')');
        }
        String remote = nested(p, FieldNames.REMOTE);
        if (remote != null) {
            sb.append("  remote ").append(remote);
        }
        StringBuilder vpn = new StringBuilder();
        for (String name : new String[] {FieldNames.VPN_IPV4, FieldNames.VPN_IPV6}) {
            for (Field f : p.all(name)) {
                if (f instanceof Field.Bytes b) {
                    vpn.append(' ').append(Json.address(b.value()));
                }
            }
        }
        if (!vpn.isEmpty()) {
            sb.append("  vpn").append(vpn);
        }
        long interval = u(p, FieldNames.KEEPALIVE_INTERVAL);
        long timeout = u(p, FieldNames.KEEPALIVE_TIMEOUT);
        sb.append("  keepalive ").append(interval == 0 && timeout == 0 ? "off" : interval + "/" + timeout);
        if (p.has(PeerFields.LAST_RX_AGE_MS)) {
            sb.append("  idle rx ").append(seconds(u(p, PeerFields.LAST_RX_AGE_MS)))
                    .append(" tx ").append(seconds(u(p, PeerFields.LAST_TX_AGE_MS)));
        }
        traffic(sb, p);
        StringBuilder routes = new StringBuilder();
        for (Field f : p.all(FieldNames.PREFIX)) {
            if (f instanceof Field.Nested n && compact(n.value()) != null) {
                routes.append(routes.isEmpty() ? "" : ",").append(compact(n.value()));
            }
        }
        if (!routes.isEmpty()) {
            sb.append("  routes ").append(routes);
        }
        return drops(sb, p).toString();
    }

    /**
     * {@code peers 2  link rx …  keepalive rx 1 tx 1  slow path 3  drops: not_data 3}; with the
     * DPDK backend also {@code exception path: to kernel 12 from kernel 9  neighbour requests 1
     * mbufs in use 1050 free 7141}; and, with either backend, when any is not 0, its port drops
     * ({@code port drops: wire_rx_nombuf 3}, {@code port drops: wire_rx_queue_drops 12}).
     */
    static String stats(Fields s) {
        StringBuilder sb = new StringBuilder("peers ").append(u(s, FieldNames.PEER_COUNT));
        traffic(sb, s);
        if (s.has("keepalive_rx")) {
            sb.append("  keepalive rx ").append(u(s, "keepalive_rx")).append(" tx ").append(u(s, "keepalive_tx"));
        }
        if (s.has("floats")) {
            sb.append("  floats ").append(u(s, "floats"));
        }
        if (s.has("slow_path")) {
            sb.append("  slow path ").append(u(s, "slow_path"));
        }
        if (s.has("crypto_submitted")) {
            sb.append("  crypto ").append(str(s, FieldNames.CRYPTO))
                    .append(": submitted ").append(u(s, "crypto_submitted"))
                    .append(" completed ").append(u(s, "crypto_completed"))
                    .append(" in flight ").append(u(s, "crypto_in_flight"))
                    .append(" busy ").append(u(s, "crypto_busy"))
                    .append(" failed ").append(u(s, "crypto_failed"));
        }
        if (s.has(DPDK + "mbufs_in_use")) {
            sb.append("  exception path: to kernel ").append(u(s, DPDK + "exception_to_kernel_packets"))
                    .append(" from kernel ").append(u(s, DPDK + "exception_from_kernel_packets"))
                    .append("  neighbour requests ").append(u(s, DPDK + "neighbour_requests"))
                    .append("  mbufs in use ").append(u(s, DPDK + "mbufs_in_use"))
                    .append(" free ").append(u(s, DPDK + "mbufs_free"));
        }
        return portDrops(drops(sb, s), s).toString();
    }

    private static final String DPDK = "dpdk_";
    private static final String SOCKET = "socket_";

    /**
     * The backend's non-zero drop and driver error counters: the DPDK backend's
     * ({@code dpdk_*_drops}, {@code dpdk_<port>_rx_nombuf} …) or the socket backend's
     * ({@code socket_*_drops}), without their prefix.
     */
    private static StringBuilder portDrops(StringBuilder sb, Fields f) {
        StringBuilder d = new StringBuilder();
        for (Field x : f) {
            if (!(x instanceof Field.U64 c) || c.value() == 0) {
                continue;
            }
            String n = c.name();
            boolean dpdk = n.startsWith(DPDK) && n.matches(".*_(drops|rx_nombuf|imissed|ierrors|oerrors)|dpdk_checksum_bad");
            boolean socket = n.startsWith(SOCKET) && n.endsWith("_drops");
            if (dpdk || socket) {
                d.append(' ').append(n.substring(dpdk ? DPDK.length() : SOCKET.length()))
                        .append(' ').append(Long.toUnsignedString(c.value()));
            }
        }
        if (!d.isEmpty()) {
            sb.append("  port drops:").append(d);
        }
        return sb;
    }

    /** {@code peer 1 primary: key-id 0 AES-256-GCM, last tx packet-id 42, aead usage 4242}. */
    static String key(Fields k) {
        return "peer " + u(k, FieldNames.PEER_ID) + " " + (u(k, FieldNames.SLOT) == 0 ? "primary" : "secondary")
                + ": key-id " + u(k, FieldNames.KEY_ID) + " " + str(k, FieldNames.CIPHER)
                + ", last tx packet-id " + u(k, FieldNames.TX_PACKET_ID)
                + ", aead usage " + u(k, FieldNames.AEAD_USAGE);
    }

    /**
     * {@code peer_deleted peer=1 reason=expired}, {@code peer_float peer=1 remote=…},
     * {@code key_rotate peer=1 key_id=0}, {@code notifications_lost missed=12}.
     */
    static String event(Message n) {
        Fields f = n.fields();
        String name = eventName(n);
        if (name.equals("notifications_lost")) {
            return name + " missed=" + u(f, FieldNames.MISSED);
        }
        StringBuilder sb = new StringBuilder(name).append(" peer=").append(u(f, FieldNames.PEER_ID));
        switch (name) {
            case "peer_deleted" -> sb.append(" reason=").append(f.has(FieldNames.REASON_NAME)
                    ? str(f, FieldNames.REASON_NAME) : String.valueOf(u(f, FieldNames.REASON)));
            case "peer_float" -> sb.append(" remote=").append(nested(f, FieldNames.REMOTE));
            case "key_rotate" -> sb.append(" key_id=").append(u(f, FieldNames.KEY_ID));
            default -> {
            }
        }
        return sb.toString();
    }

    static String eventName(Message n) {
        return n.notification().map(x -> x.name().toLowerCase(Locale.ROOT)).orElse("notification_" + n.code());
    }

    /** {@code 10.0.0.2:1194} / {@code [fd00::2]:1194} for a sockaddr, {@code 10.1.0.0/16} for a prefix. */
    static String compact(Fields nest) {
        byte[] raw = null;
        for (Field f : nest.all(FieldNames.ADDRESS)) {
            if (f instanceof Field.Bytes b && (b.length() == 4 || b.length() == 16)) {
                raw = b.value();
            }
        }
        if (raw == null) {
            return null;
        }
        String a = Json.address(raw);
        if (nest.has(FieldNames.PORT)) {
            return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + u(nest, FieldNames.PORT);
        }
        if (nest.has(FieldNames.PREFIX_LEN)) {
            return a + "/" + u(nest, FieldNames.PREFIX_LEN);
        }
        return null;
    }

    private static void traffic(StringBuilder sb, Fields f) {
        sb.append("  link rx ").append(pair(f, "link_rx")).append("  tx ").append(pair(f, "link_tx"))
                .append("  vpn rx ").append(pair(f, "vpn_rx")).append("  tx ").append(pair(f, "vpn_tx"));
    }

    private static String pair(Fields f, String prefix) {
        return u(f, prefix + "_packets") + " pkts " + u(f, prefix + "_bytes") + " B";
    }

    /** The non-zero drop counters, by reason; nothing when there are none. */
    private static StringBuilder drops(StringBuilder sb, Fields f) {
        StringBuilder d = new StringBuilder();
        for (Field x : f) {
            if (x instanceof Field.U64 c && c.name().startsWith(FieldNames.DROP_PREFIX) && c.value() != 0) {
                d.append(' ').append(c.name().substring(FieldNames.DROP_PREFIX.length()))
                        .append(' ').append(Long.toUnsignedString(c.value()));
            }
        }
        if (!d.isEmpty()) {
            sb.append("  drops:").append(d);
        }
        return sb;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static long u(Fields f, String name) {
        for (Field x : f.all(name)) {
            if (x instanceof Field.U64 v) {
                return v.value();
            }
        }
        return 0;
    }

    private static String str(Fields f, String name) {
        for (Field x : f.all(name)) {
            if (x instanceof Field.Str s) {
                return s.value();
            }
        }
        return "?";
    }

    private static String nested(Fields f, String name) {
        for (Field x : f.all(name)) {
            if (x instanceof Field.Nested n) {
                return compact(n.value());
            }
        }
        return null;
    }
}

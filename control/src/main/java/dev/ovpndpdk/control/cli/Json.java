package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.dataplane.peer.IpText;

import dev.ovpndpdk.control.protocol.Field;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --json} output: one object per line, fields named as in the control protocol
 * (docs/control-protocol.md), so a script reads {@code link_rx_bytes} whether it asked the
 * CLI or the socket. Made from a reply's fields without knowing them all: a field the daemon
 * adds later shows up here by itself. Addresses are text ({@code "10.0.0.2:1194"},
 * {@code "5.5.5.2"}, {@code "10.1.0.0/16"}), counters numbers, repeated names arrays.
 */
final class Json {
    /** Names that are lists even with one element or none, so a script need not check. */
    private static final Set<String> ARRAYS = Set.of(FieldNames.PREFIX);
    /** BYTES fields that hold an IP address. */
    private static final Set<String> ADDRESSES = Set.of(FieldNames.VPN_IPV4, FieldNames.VPN_IPV6, FieldNames.ADDRESS);

    private final StringBuilder sb = new StringBuilder("{");
    private boolean empty = true;

    /** Starts an object with a leading string member, e.g. {@code "event":"peer_deleted"}. */
    static Json object() {
        return new Json();
    }

    Json put(String name, String value) {
        return member(name).quote(value);
    }

    Json put(String name, long unsigned) {
        member(name).sb.append(Long.toUnsignedString(unsigned));
        return this;
    }

    /** Every field of {@code fields}, by the rules above. */
    Json putAll(Fields fields) {
        return putAll(fields, ARRAYS);
    }

    /** Same, with {@code arrays} the names that are always lists. */
    Json putAll(Fields fields, Set<String> arrays) {
        Map<String, List<Field>> byName = new LinkedHashMap<>();
        for (Field f : fields) {
            byName.computeIfAbsent(f.name(), n -> new ArrayList<>()).add(f);
        }
        byName.forEach((name, list) -> {
            member(name);
            if (list.size() > 1 || arrays.contains(name)) {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ",");
                    value(list.get(i));
                }
                sb.append(']');
            } else {
                value(list.get(0));
            }
        });
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    private Json member(String name) {
        if (!empty) {
            sb.append(',');
        }
        empty = false;
        return quote(name).colon();
    }

    private Json colon() {
        sb.append(':');
        return this;
    }

    private void value(Field f) {
        switch (f) {
            case Field.U64 u -> sb.append(Long.toUnsignedString(u.value()));
            case Field.Bool b -> sb.append(b.value());
            case Field.Str s -> quote(s.value());
            case Field.Bytes b -> quote(ADDRESSES.contains(b.name()) && (b.length() == 4 || b.length() == 16)
                    ? address(b.value()) : FieldNames.isSecret(b.name()) ? "<secret>" : HexFormat.of().formatHex(b.value()));
            case Field.Nested n -> {
                String compact = Text.compact(n.value());
                if (compact != null) {
                    quote(compact);
                } else {
                    sb.append(Json.object().putAll(n.value()));
                }
            }
        }
    }

    private Json quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        return this;
    }

    /** An address as people write it: {@code 5.5.5.2}, and IPv6 compressed per RFC 5952 ({@code fd00::2}). */
    static String address(byte[] raw) {
        InetAddress a;
        try {
            a = InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            return HexFormat.of().formatHex(raw);
        }
        return raw.length == 16 && a instanceof java.net.Inet6Address ? IpText.ipv6(raw) : a.getHostAddress();
    }

}

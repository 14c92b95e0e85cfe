package dev.ovpndpdk.dataplane.peer;

import java.util.Locale;

/** Interface mode, as Linux's IFLA_OVPN_MODE (spec §5.2): one peer, or a server with many. */
public enum Mode {
    /** Point-to-point: a single peer; everything from the tunnel goes to it. */
    P2P,
    /** Multi-peer: route by VPN address and iroutes; RPF on receive. */
    MP;

    public static Mode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "p2p" -> P2P;
            case "mp" -> MP;
            default -> throw new IllegalArgumentException("unknown mode '" + s + "' (expected p2p or mp)");
        };
    }
}

package dev.ovpndpdk.dataplane.stats;

import java.util.Locale;

/**
 * Traffic counters kept globally and per peer. "link" is the wire side (ciphertext with the
 * 24-byte data-channel header, no UDP/IP), "vpn" the tunnel side (plaintext) — the names and
 * meaning of Linux ovpn's PEER_GET attributes (spec §5.1, §6 item 12).
 */
public enum Counter {
    LINK_RX_PACKETS, LINK_RX_BYTES, LINK_TX_PACKETS, LINK_TX_BYTES,
    VPN_RX_PACKETS, VPN_RX_BYTES, VPN_TX_PACKETS, VPN_TX_BYTES,
    /** Keepalive pings received (consumed) and sent. */
    KEEPALIVE_RX, KEEPALIVE_TX,
    /** OCC explicit-exit-notify received from the peer (consumed; spec §1.5). */
    EXIT_NOTIFY_RX,
    /** The peer moved to a new transport address (spec §5.8). */
    FLOATS,
    /** Datagrams handed to the OpenVPN process unchanged (control channel, unknown peers). */
    SLOW_PATH;

    public String counterName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

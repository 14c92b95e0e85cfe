package dev.ovpndpdk.control.protocol;

import java.util.Optional;

/**
 * The requests the daemon answers, with their header codes. Each mirrors one OpenVPN DCO
 * operation (spec §3.1) and the Linux {@code ovpn} / FreeBSD if_ovpn command that does the
 * same; the request and reply fields of each are in docs/control-protocol.md, "Commands".
 * Codes are API: never renumber, only append.
 */
public enum Command {
    /** dco_new_peer; Linux OVPN_CMD_PEER_NEW, if_ovpn OVPN_NEW_PEER. */
    NEW_PEER(1),
    /** dco_set_peer (keepalive); Linux OVPN_CMD_PEER_SET, if_ovpn OVPN_SET_PEER. */
    SET_PEER(2),
    /** dco_del_peer; Linux OVPN_CMD_PEER_DEL, if_ovpn OVPN_DEL_PEER. */
    DEL_PEER(3),
    /** dco_get_peer_stats; one peer with peer_id, all without; Linux OVPN_CMD_PEER_GET do/dump. */
    GET_PEER(4),
    /** dco_new_key; Linux OVPN_CMD_KEY_NEW, if_ovpn OVPN_NEW_KEY (+ START_VPN, implied here). */
    NEW_KEY(5),
    /** dco_swap_keys; Linux OVPN_CMD_KEY_SWAP, if_ovpn OVPN_SWAP_KEYS. */
    SWAP_KEYS(6),
    /** dco_del_key; Linux OVPN_CMD_KEY_DEL, if_ovpn OVPN_DEL_KEY. */
    DEL_KEY(7),
    /** Linux OVPN_CMD_KEY_GET: key-id, cipher and packet-id of a slot, never key material. */
    GET_KEY(8),
    /** Daemon-wide counters; if_ovpn OVPN_GET_STATS. */
    GET_STATS(9),
    /** dco_install_iroute: a prefix routed to a peer (an iroute). */
    ADD_ROUTE(10),
    /** dco_delete_iroutes, one prefix at a time. */
    DEL_ROUTE(11),
    /** This connection receives notifications from now on (Linux: join mcast group "peers"). */
    SUBSCRIBE(12),
    /** Liveness and version: protocol version, daemon version, ciphers, mode, tunnel, features. */
    PING(13),
    /**
     * The OpenVPN process introduces itself: hands over its UDP socket before any peer exists,
     * and owns the peers it creates, which leave when its connection closes. No kernel has it.
     */
    ATTACH(14);

    private final int code;

    Command(int code) {
        this.code = code;
    }

    /** The header's code field for this command. */
    public int code() {
        return code;
    }

    /** The command with this code; empty for an unknown one, which the daemon answers ENOTSUP. */
    public static Optional<Command> fromCode(int code) {
        for (Command c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}

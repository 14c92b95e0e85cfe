package dev.ovpndpdk.control.protocol;

import java.util.Optional;

/**
 * Unsolicited messages to subscribed connections, with their header codes. Codes start at 100
 * so that a code alone says whether it is a command or a notification. A client ignores a
 * notification code it does not know. Codes are API: never renumber, only append.
 */
public enum Notification {
    /**
     * A peer is gone: peer_id, reason ({@link dev.ovpndpdk.dataplane.engine.DeleteReason}), reason_name and the final
     * counters. Linux OVPN_CMD_PEER_DEL_NTF, if_ovpn OVPN_NOTIF_DEL_PEER.
     */
    PEER_DELETED(100),
    /**
     * A key's packet-id space is nearly used up; renegotiate (OpenVPN: tls_session_soft_reset):
     * peer_id, key_id, slot. Linux OVPN_CMD_KEY_SWAP_NTF, if_ovpn OVPN_NOTIF_ROTATE_KEY.
     */
    KEY_ROTATE(101),
    /**
     * A peer's remote address moved after an authenticated packet: peer_id, remote.
     * Linux OVPN_CMD_PEER_FLOAT_NTF, if_ovpn OVPN_NOTIF_FLOAT.
     */
    PEER_FLOAT(102),
    /**
     * This subscriber missed notifications (its socket was full): missed, the number. Sent to
     * it alone, as soon as its socket takes one again, with the sequence number of the last
     * notification it missed, so that the gap shows at once rather than with whatever
     * notification comes next (which may be never). No kernel has it: a netlink listener sees
     * ENOBUFS instead.
     */
    NOTIFICATIONS_LOST(103);

    private final int code;

    Notification(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Notification> fromCode(int code) {
        for (Notification n : values()) {
            if (n.code == code) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}

package dev.ovpndpdk.control.protocol;

import java.util.Optional;

/**
 * Why a peer was deleted: the {@code reason} field of PEER_DELETED, numbered exactly as Linux
 * {@code ovpn}'s del-peer-reason (spec §5.1) so that OpenVPN's handling of
 * OVPN_A_PEER_DEL_REASON applies unchanged (spec §3.4). {@code reason_name} carries
 * {@link #wireName()} for people reading logs.
 */
public enum DeleteReason {
    /** Replaced (P2P) or the daemon/interface is shutting down. */
    TEARDOWN(0, "teardown"),
    /** DEL_PEER from a client. OpenVPN in server mode ignores these: they were its own. */
    USERSPACE(1, "userspace"),
    /** Nothing authenticated arrived for keepalive_timeout seconds. */
    EXPIRED(2, "expired"),
    /** The transport failed. */
    TRANSPORT_ERROR(3, "transport_error"),
    /** The transport closed (TCP). */
    TRANSPORT_DISCONNECT(4, "transport_disconnect");

    private final int code;
    private final String wireName;

    DeleteReason(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    public int code() {
        return code;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<DeleteReason> fromCode(long code) {
        for (DeleteReason r : values()) {
            if (r.code == code) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}

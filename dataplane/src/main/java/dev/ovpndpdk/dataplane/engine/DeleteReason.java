package dev.ovpndpdk.dataplane.engine;

import java.util.Locale;

/**
 * Why a peer went away; Linux ovpn's numbering (spec §3.4, §5.1 del-peer-reason), which is
 * also the {@code reason} field of the control protocol's PEER_DELETED, so that OpenVPN's
 * handling of OVPN_A_PEER_DEL_REASON applies unchanged.
 */
public enum DeleteReason {
    TEARDOWN(0), USERSPACE(1), EXPIRED(2), TRANSPORT_ERROR(3), TRANSPORT_DISCONNECT(4);

    public final int code;

    DeleteReason(int code) {
        this.code = code;
    }

    /** The name in notifications and logs, e.g. {@code expired}. */
    public String reasonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason with Linux's number {@code code}, if there is one. */
    public static java.util.Optional<DeleteReason> fromCode(long code) {
        for (DeleteReason r : values()) {
            if (r.code == code) {
                return java.util.Optional.of(r);
            }
        }
        return java.util.Optional.empty();
    }
}

package dev.ovpndpdk.dataplane.engine;

import java.util.Locale;

/** Why a peer went away; Linux ovpn's numbering (spec §3.4, §5.1 del-peer-reason). */
public enum DeleteReason {
    TEARDOWN(0), USERSPACE(1), EXPIRED(2), TRANSPORT_ERROR(3), TRANSPORT_DISCONNECT(4);

    public final int code;

    DeleteReason(int code) {
        this.code = code;
    }

    public String reasonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

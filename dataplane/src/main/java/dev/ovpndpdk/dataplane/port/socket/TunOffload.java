package dev.ovpndpdk.dataplane.port.socket;

import java.util.Locale;

/** How the socket backend uses the TUN device's offloads (docs/socket-offloads.md). */
public enum TunOffload {
    /** One plain IP packet per read and per write, as before the offloads. */
    OFF,
    /** Super-packets read and segmented; writes one packet each (for comparison). */
    SEGMENT,
    /** Super-packets read and segmented, and TCP segments coalesced on write: the default. */
    ON;

    public static TunOffload parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("offload must be on, segment or off: " + s);
        }
    }
}

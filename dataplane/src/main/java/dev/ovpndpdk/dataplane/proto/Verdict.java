package dev.ovpndpdk.dataplane.proto;

/**
 * What the data-channel codec decided about one packet. Every outcome is a value, never an
 * exception, so that bad bytes from the network cost a counter increment and nothing more
 * (ARCHITECTURE.md fast-path rule 6). A drop is counted under {@code DropReason.of(verdict)}.
 */
public enum Verdict {
    /** Decrypted an IPv4/IPv6 packet (deliver to the tunnel), or encrypted one (send it). */
    OK(false),
    /** The keepalive ping: authentic, counts as life from the peer, consumed (spec §1.5). */
    PING(false),
    /** OCC explicit-exit-notify ({@code magic ‖ 06}): the peer is going away (spec §1.5). */
    OCC_EXIT(false),

    /** Too short for a P_DATA_V2 packet, or lengths that do not fit the buffer. */
    MALFORMED(true),
    /** Not a data packet (control channel, ack, reset): belongs to the OpenVPN process. */
    NOT_DATA_V2(true),
    /** P_DATA_V1, which DCO does not carry (spec §3.5); dropped. */
    DATA_V1(true),
    /** No key slot holds the packet's key-id. */
    UNKNOWN_KEY(true),
    /** The AEAD tag did not verify: tampered, wrong key, or not ours. */
    AUTH_FAILED(true),
    /** Authentic, but a packet-id already seen, zero, or older than the replay window. */
    REPLAY(true),
    /** Authentic plaintext that is neither IPv4 nor IPv6 (nor ping/OCC exit). */
    NOT_IP(true),

    /** Encrypt: the peer has no primary key. */
    NO_KEY(true),
    /** Encrypt: the key sent packet-id 0xFFFFFFFF already and must not be used again. */
    KEY_EXHAUSTED(true);

    private final boolean drop;

    Verdict(boolean drop) {
        this.drop = drop;
    }

    /** True when the packet goes nowhere and is counted as a drop with this reason. */
    public boolean isDrop() {
        return drop;
    }

    /**
     * Receive: the AEAD opened the packet and its tag verified, whatever was decided after —
     * what a key's usage counts ({@link AeadLimits}).
     */
    public boolean authenticated() {
        return this == OK || this == PING || this == OCC_EXIT || this == REPLAY || this == NOT_IP;
    }

    /** Lower-case name for counters and JSON, e.g. {@code auth_failed}. */
    public String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

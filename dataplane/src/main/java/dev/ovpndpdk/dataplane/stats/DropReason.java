package dev.ovpndpdk.dataplane.stats;

import dev.ovpndpdk.dataplane.proto.Verdict;

import java.util.Locale;

/**
 * Why a packet went nowhere. One counter each, globally and per peer where a peer is known
 * (ARCHITECTURE.md fast-path rule 6).
 */
public enum DropReason {
    /** Too short, or lengths that do not add up. */
    MALFORMED,
    /** P_DATA_V1: DCO carries only P_DATA_V2 (spec §3.5). */
    DATA_V1,
    /** Not a data packet, and no OpenVPN process socket to hand it to. */
    NOT_DATA,
    /** P_DATA_V2 for a peer-id we do not know. */
    UNKNOWN_PEER,
    UNKNOWN_KEY,
    AUTH_FAILED,
    REPLAY,
    /** Authentic plaintext that is neither IPv4 nor IPv6. */
    NOT_IP,
    /** MP mode: the inner source address does not route back to the sending peer (RPF). */
    SOURCE_NOT_ALLOWED,
    /** Tunnel packet whose destination matches no peer. */
    NO_ROUTE,
    /**
     * A UDP packet from the tunnel to its own peer's outer address and port: our datagram for
     * that peer, routed back into the tunnel (a host route through it); sealing it again would
     * loop (if_ovpn.sh's routing-loop protection).
     */
    ROUTING_LOOP,
    /** The peer has no primary key yet. */
    NO_KEY,
    /** The primary key has sent its last packet-id. */
    KEY_EXHAUSTED,
    /** No packet buffer free. */
    NO_BUFFER,
    /** The port would not take the packet (ring or socket buffer full). */
    TX_FULL,
    /** Larger than a packet buffer or than the port's MTU allows. */
    TOO_BIG,
    /**
     * DPDK backend: the next hop's Ethernet address is not known yet (it is learned from the
     * peer's packets, ARP and neighbour advertisements; a request has been sent).
     */
    NO_NEIGHBOUR,
    /** The asynchronous crypto engine's queue was full: the packet was not submitted (backpressure). */
    CRYPTO_BUSY,
    /**
     * The asynchronous crypto engine failed the request (a device or session error), or the
     * worker stopped with the request in flight.
     */
    CRYPTO_FAILED;

    private static final DropReason[] ALL = values();

    /** The reason a port marked in {@code PacketBatch.txDrop} ({@code ordinal() + 1}). */
    public static DropReason ofMark(byte mark) {
        return ALL[mark - 1];
    }

    /** The mark a port puts in {@code PacketBatch.txDrop}. */
    public byte mark() {
        return (byte) (ordinal() + 1);
    }

    public String counterName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The drop reason of a codec verdict that is a drop. */
    public static DropReason of(Verdict v) {
        return switch (v) {
            case MALFORMED -> MALFORMED;
            case NOT_DATA_V2 -> NOT_DATA;
            case DATA_V1 -> DATA_V1;
            case UNKNOWN_KEY -> UNKNOWN_KEY;
            case AUTH_FAILED -> AUTH_FAILED;
            case REPLAY -> REPLAY;
            case NOT_IP -> NOT_IP;
            case NO_KEY -> NO_KEY;
            case KEY_EXHAUSTED -> KEY_EXHAUSTED;
            case OK, PING, OCC_EXIT -> throw new IllegalArgumentException(v + " is not a drop");
        };
    }
}

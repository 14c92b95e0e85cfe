package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.control.protocol.Field;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.PrefixField;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.dataplane.engine.Notification;
import dev.ovpndpdk.dataplane.peer.IpPrefix;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.Remote;

import java.util.List;
import java.util.Map;

/**
 * How the daemon describes its state in control messages: a peer of a GET_PEER reply, the
 * counters of GET_PEER / GET_STATS / PEER_DELETED, and the three notifications
 * (docs/control-protocol.md, "Commands" and "Notifications").
 *
 * <p>Counters go out under the engine's own names ({@code CounterSet.snapshot()}): the eight
 * of Linux's PEER_GET ({@code link_rx_packets}, …), the {@code drop_*} family, and a few more
 * ({@code keepalive_rx}, {@code slow_path}, …) that clients not knowing them ignore.
 */
public final class PeerFields {
    /*
     * Fields this daemon adds beyond docs/control-protocol.md's catalogue; optional everywhere,
     * so older clients and daemons ignore them.
     */
    /** NEW_PEER (optional) and GET_PEER: the peer-id we write into packets to this peer (Linux TX_ID). */
    public static final String TX_ID = "tx_id";
    /** GET_PEER: milliseconds since the last authenticated packet from the peer. */
    public static final String LAST_RX_AGE_MS = "last_rx_age_ms";
    /** GET_PEER: milliseconds since we last sent to the peer. */
    public static final String LAST_TX_AGE_MS = "last_tx_age_ms";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private PeerFields() {
    }

    /** One {@code peer} nest of a GET_PEER reply. */
    static Fields peer(Peer p, List<IpPrefix> routes, long now) {
        Fields.Builder b = Fields.builder().u64(FieldNames.PEER_ID, p.id());
        if (p.txId() != p.id()) {
            b.u64(TX_ID, p.txId());
        }
        Remote remote = p.remote();
        if (remote != null) {
            b.add(SockAddrField.field(FieldNames.REMOTE, remote.toSocketAddress()));
        }
        if (p.local() != null) {
            b.add(SockAddrField.field(FieldNames.LOCAL, p.local().toSocketAddress()));
        }
        if (p.vpnIpv4() != null) {
            b.bytes(FieldNames.VPN_IPV4, p.vpnIpv4().getAddress());
        }
        if (p.vpnIpv6() != null) {
            b.bytes(FieldNames.VPN_IPV6, p.vpnIpv6().getAddress());
        }
        b.u64(FieldNames.KEEPALIVE_INTERVAL, p.keepaliveIntervalNanos() / NANOS_PER_SECOND)
                .u64(FieldNames.KEEPALIVE_TIMEOUT, p.keepaliveTimeoutNanos() / NANOS_PER_SECOND)
                .u64(LAST_RX_AGE_MS, ageMillis(now, p.lastRxNanos()))
                .u64(LAST_TX_AGE_MS, ageMillis(now, p.lastTxNanos()));
        for (IpPrefix r : routes) {
            b.add(new PrefixField(r.address(), r.length()).toField(FieldNames.PREFIX));
        }
        counters(b, p.stats().snapshot());
        return b.build();
    }

    /** Adds every counter, drop counters included, as U64 fields. */
    static void counters(Fields.Builder b, Map<String, Long> counters) {
        counters.forEach(b::u64);
    }

    private static long ageMillis(long now, long then) {
        return Math.max(0, now - then) / 1_000_000;
    }

    /** The message for an engine notification, with the daemon-wide {@code sequence}. */
    static Message notification(Notification n, long sequence) {
        return switch (n) {
            case Notification.PeerDeleted d -> {
                Message.Builder m = Message.notification(
                                dev.ovpndpdk.control.protocol.Notification.PEER_DELETED, sequence)
                        .u64(FieldNames.PEER_ID, d.peerId())
                        .u64(FieldNames.REASON, d.reason().code)
                        .string(FieldNames.REASON_NAME, d.reason().reasonName());
                d.counters().forEach(m::u64);
                yield m.build();
            }
            case Notification.KeyRotate k -> Message.notification(
                            dev.ovpndpdk.control.protocol.Notification.KEY_ROTATE, sequence)
                    .u64(FieldNames.PEER_ID, k.peerId())
                    .u64(FieldNames.KEY_ID, k.keyId())
                    // The engine asks for a rotation of the key that encrypts: the primary.
                    .u64(FieldNames.SLOT, FieldNames.SLOT_PRIMARY)
                    .build();
            case Notification.PeerFloat f -> Message.notification(
                            dev.ovpndpdk.control.protocol.Notification.PEER_FLOAT, sequence)
                    .u64(FieldNames.PEER_ID, f.peerId())
                    .add(remoteField(f.remote()))
                    .build();
        };
    }

    private static Field remoteField(Remote r) {
        return SockAddrField.field(FieldNames.REMOTE, r.toSocketAddress());
    }
}

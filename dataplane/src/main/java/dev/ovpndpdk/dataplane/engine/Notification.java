package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.dataplane.peer.Remote;

import java.util.Map;

/** What the data plane tells the OpenVPN process (ARCHITECTURE.md, control plane; spec §3.4). */
public sealed interface Notification {
    int peerId();

    /** The peer was removed; final counters included (as if_ovpn does). */
    record PeerDeleted(int peerId, DeleteReason reason, Map<String, Long> counters) implements Notification {
    }

    /** The primary key's TX packet-id passed 0xFF000000 (or ran out): renegotiate. */
    record KeyRotate(int peerId, int keyId) implements Notification {
    }

    /** An authenticated packet came from a new address and the peer moved there. */
    record PeerFloat(int peerId, Remote remote) implements Notification {
    }
}

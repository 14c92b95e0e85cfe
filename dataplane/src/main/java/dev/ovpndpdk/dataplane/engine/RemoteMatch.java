package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.dataplane.peer.HashTrie;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.peer.Snapshot;

/**
 * Finds the peer whose current remote is a given transport address: for packets with peer-id
 * 0xFFFFFF (Linux looks those up by source address, spec §1.2). Rare, so a walk over the
 * snapshot; one instance per worker, reused, so the walk allocates nothing.
 */
final class RemoteMatch implements HashTrie.Visitor<Peer> {
    private boolean v6;
    private long hi;
    private long lo;
    private int port;

    Peer find(Snapshot snap, boolean v6, long hi, long lo, int port) {
        this.v6 = v6;
        this.hi = hi;
        this.lo = lo;
        this.port = port;
        return snap.findPeer(this);
    }

    @Override
    public boolean visit(Peer p) {
        Remote r = p.remote();
        return r != null && r.matches(v6, hi, lo, port);
    }
}

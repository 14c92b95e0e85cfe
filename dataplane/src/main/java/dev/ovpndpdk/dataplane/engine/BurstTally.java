package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.CounterSet;

/**
 * One packets/bytes counter pair summed over a burst, for the engine and per peer, and added
 * to the {@link CounterSet}s once per burst (engine) or once per run of packets of the same
 * peer — instead of four read-modify-writes of counter memory per packet. A burst usually
 * belongs to one peer or a few (peer-id steering), so a run is usually the whole burst.
 *
 * <p>Readers of the counters see a burst's packets at once, when the worker calls
 * {@link #flush}, which it does before leaving the burst: they lag by at most one burst
 * (microseconds), never lose a packet. Worker-private, like the counter stripe it writes.
 */
final class BurstTally {
    private final int worker;
    private final CounterSet total;
    private final Counter packets;
    private final Counter bytes;
    private long totalPackets;
    private long totalBytes;
    private Peer peer;
    private long peerPackets;
    private long peerBytes;

    BurstTally(int worker, CounterSet total, Counter packets, Counter bytes) {
        this.worker = worker;
        this.total = total;
        this.packets = packets;
        this.bytes = bytes;
    }

    /** One packet of {@code len} bytes for {@code p}. */
    void add(Peer p, int len) {
        if (p != peer) {
            flushPeer();
            peer = p;
        }
        peerPackets++;
        peerBytes += len;
        totalPackets++;
        totalBytes += len;
    }

    /** Adds what was summed to the counters; the tally starts again from zero. */
    void flush() {
        flushPeer();
        if (totalPackets != 0) {
            total.add(worker, packets, totalPackets);
            total.add(worker, bytes, totalBytes);
            totalPackets = 0;
            totalBytes = 0;
        }
    }

    private void flushPeer() {
        Peer p = peer;
        if (p != null) {
            CounterSet s = p.stats();
            s.add(worker, packets, peerPackets);
            s.add(worker, bytes, peerBytes);
            peer = null; // no reference to a deleted peer outlives the burst
            peerPackets = 0;
            peerBytes = 0;
        }
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.util.List;

/** An immutable open-addressing map from an IPv6 address (two longs) to a peer. */
final class Ipv6PeerMap {
    record Entry(long hi, long lo, Peer peer) {
    }

    private final long[] his;
    private final long[] los;
    private final Peer[] values;
    private final int mask;

    Ipv6PeerMap(List<Entry> entries) {
        int cap = Integer.highestOneBit(Math.max(4, entries.size() * 2 - 1)) << 1;
        his = new long[cap];
        los = new long[cap];
        values = new Peer[cap];
        mask = cap - 1;
        for (Entry e : entries) {
            int i = slot(e.hi, e.lo);
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            his[i] = e.hi;
            los[i] = e.lo;
            values[i] = e.peer;
        }
    }

    private int slot(long hi, long lo) {
        long h = (hi ^ Long.rotateLeft(lo, 29)) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    Peer get(long hi, long lo) {
        int i = slot(hi, lo);
        Peer p;
        while ((p = values[i]) != null) {
            if (his[i] == hi && los[i] == lo) {
                return p;
            }
            i = (i + 1) & mask;
        }
        return null;
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.util.Map;

/**
 * An immutable open-addressing map from an int (peer-id, IPv4 address) to a peer, built once
 * by the control thread and read by workers without boxing or allocation.
 */
final class IntPeerMap {
    private final int[] keys;
    private final Peer[] values;
    private final int mask;

    IntPeerMap(Map<Integer, Peer> entries) {
        int cap = Integer.highestOneBit(Math.max(4, entries.size() * 2 - 1)) << 1;
        keys = new int[cap];
        values = new Peer[cap];
        mask = cap - 1;
        for (Map.Entry<Integer, Peer> e : entries.entrySet()) {
            int i = slot(e.getKey());
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = e.getKey();
            values[i] = e.getValue();
        }
    }

    private int slot(int key) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    Peer get(int key) {
        int i = slot(key);
        Peer p;
        while ((p = values[i]) != null) {
            if (keys[i] == key) {
                return p;
            }
            i = (i + 1) & mask;
        }
        return null;
    }
}

package dev.ovpndpdk.dataplane.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Longest-prefix match over the iroutes, immutable, one exact-match table per prefix length
 * present, probed from the longest length down. An appliance has a handful of distinct
 * lengths, so that is a handful of hash probes with no allocation; a trie would pay off only
 * with many lengths, and can replace this class without touching its callers.
 */
final class PrefixTable {
    private final int[] v4Lengths;
    private final IntPeerMap[] v4Tables;
    private final int[] v6Lengths;
    private final Ipv6PeerMap[] v6Tables;

    PrefixTable(Map<IpPrefix, Peer> routes) {
        Map<Integer, Map<Integer, Peer>> v4 = new HashMap<>();
        Map<Integer, List<Ipv6PeerMap.Entry>> v6 = new HashMap<>();
        for (Map.Entry<IpPrefix, Peer> e : routes.entrySet()) {
            IpPrefix p = e.getKey();
            if (p.ipv6()) {
                v6.computeIfAbsent(p.length(), k -> new ArrayList<>()).add(new Ipv6PeerMap.Entry(p.hi(), p.lo(), e.getValue()));
            } else {
                v4.computeIfAbsent(p.length(), k -> new HashMap<>()).put((int) p.lo(), e.getValue());
            }
        }
        TreeSet<Integer> l4 = new TreeSet<>(v4.keySet());
        v4Lengths = l4.descendingSet().stream().mapToInt(Integer::intValue).toArray();
        v4Tables = new IntPeerMap[v4Lengths.length];
        for (int i = 0; i < v4Lengths.length; i++) {
            v4Tables[i] = new IntPeerMap(v4.get(v4Lengths[i]));
        }
        TreeSet<Integer> l6 = new TreeSet<>(v6.keySet());
        v6Lengths = l6.descendingSet().stream().mapToInt(Integer::intValue).toArray();
        v6Tables = new Ipv6PeerMap[v6Lengths.length];
        for (int i = 0; i < v6Lengths.length; i++) {
            v6Tables[i] = new Ipv6PeerMap(v6.get(v6Lengths[i]));
        }
    }

    Peer lookup4(int address) {
        long a = address & 0xFFFFFFFFL;
        for (int i = 0; i < v4Lengths.length; i++) {
            Peer p = v4Tables[i].get((int) (a & IpPrefix.mask4(v4Lengths[i])));
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    Peer lookup6(long hi, long lo) {
        for (int i = 0; i < v6Lengths.length; i++) {
            int len = v6Lengths[i];
            Peer p = v6Tables[i].get(hi & IpPrefix.maskHi(len), lo & IpPrefix.maskLo(len));
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}

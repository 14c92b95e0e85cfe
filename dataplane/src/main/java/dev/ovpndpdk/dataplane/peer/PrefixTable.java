package dev.ovpndpdk.dataplane.peer;

import java.util.Arrays;

/**
 * Longest-prefix match over the iroutes, immutable: one exact-match {@link HashTrie} per
 * prefix length present, probed from the longest length down. An appliance has a handful of
 * distinct lengths, so that is a handful of probes with no allocation. A change replaces one
 * length's trie (O(log n)) and copies the short arrays of lengths; everything else is shared
 * with the table it came from.
 */
final class PrefixTable {
    static final PrefixTable EMPTY = new PrefixTable(new int[0], new HashTrie[0], new int[0], new HashTrie[0]);

    /** Lengths present, longest first, and each one's table (key: the masked address). */
    private final int[] v4Lengths;
    private final HashTrie<Peer>[] v4Tables;
    private final int[] v6Lengths;
    private final HashTrie<Peer>[] v6Tables;

    private PrefixTable(int[] v4Lengths, HashTrie<Peer>[] v4Tables, int[] v6Lengths, HashTrie<Peer>[] v6Tables) {
        this.v4Lengths = v4Lengths;
        this.v4Tables = v4Tables;
        this.v6Lengths = v6Lengths;
        this.v6Tables = v6Tables;
    }

    /** The peer behind exactly {@code prefix}, or null. */
    Peer get(IpPrefix prefix) {
        int[] lengths = prefix.ipv6() ? v6Lengths : v4Lengths;
        int i = Arrays.binarySearch(negated(lengths), -prefix.length());
        return i < 0 ? null : (prefix.ipv6() ? v6Tables : v4Tables)[i].get(prefix.hi(), prefix.lo());
    }

    /** This table with {@code prefix} routed to {@code peer} (replacing any owner). */
    PrefixTable with(IpPrefix prefix, Peer peer) {
        return change(prefix, peer);
    }

    /** This table without {@code prefix}. */
    PrefixTable without(IpPrefix prefix) {
        return get(prefix) == null ? this : change(prefix, null);
    }

    @SuppressWarnings("unchecked")
    private PrefixTable change(IpPrefix prefix, Peer peer) {
        boolean v6 = prefix.ipv6();
        int[] lengths = v6 ? v6Lengths : v4Lengths;
        HashTrie<Peer>[] tables = v6 ? v6Tables : v4Tables;
        int i = Arrays.binarySearch(negated(lengths), -prefix.length());
        int[] newLengths;
        HashTrie<Peer>[] newTables;
        if (i >= 0) {
            HashTrie<Peer> t = peer == null ? tables[i].remove(prefix.hi(), prefix.lo()) : tables[i].put(prefix.hi(), prefix.lo(), peer);
            if (t.size() == 0) { // the last prefix of that length: the length goes too
                newLengths = new int[lengths.length - 1];
                newTables = new HashTrie[tables.length - 1];
                System.arraycopy(lengths, 0, newLengths, 0, i);
                System.arraycopy(lengths, i + 1, newLengths, i, newLengths.length - i);
                System.arraycopy(tables, 0, newTables, 0, i);
                System.arraycopy(tables, i + 1, newTables, i, newTables.length - i);
            } else {
                newLengths = lengths;
                newTables = tables.clone();
                newTables[i] = t;
            }
        } else {
            int at = -i - 1;
            newLengths = new int[lengths.length + 1];
            newTables = new HashTrie[tables.length + 1];
            System.arraycopy(lengths, 0, newLengths, 0, at);
            System.arraycopy(lengths, at, newLengths, at + 1, lengths.length - at);
            System.arraycopy(tables, 0, newTables, 0, at);
            System.arraycopy(tables, at, newTables, at + 1, tables.length - at);
            newLengths[at] = prefix.length();
            newTables[at] = HashTrie.<Peer>empty().put(prefix.hi(), prefix.lo(), peer);
        }
        return v6 ? new PrefixTable(v4Lengths, v4Tables, newLengths, newTables)
                : new PrefixTable(newLengths, newTables, v6Lengths, v6Tables);
    }

    /** Longest first means descending; binary search wants ascending, so search the negated lengths. */
    private static int[] negated(int[] lengths) {
        int[] n = new int[lengths.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = -lengths[i];
        }
        return n;
    }

    Peer lookup4(int address) {
        long a = address & 0xFFFFFFFFL;
        for (int i = 0; i < v4Lengths.length; i++) {
            Peer p = v4Tables[i].get(0, a & IpPrefix.mask4(v4Lengths[i]));
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

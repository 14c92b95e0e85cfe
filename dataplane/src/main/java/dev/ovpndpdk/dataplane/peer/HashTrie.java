package dev.ovpndpdk.dataplane.peer;

import java.util.function.Consumer;

/**
 * An immutable map from a 128-bit key (two longs: a peer-id or IPv4 address in {@code lo},
 * an IPv6 address or prefix in both) to a value: a hash array mapped trie. A change copies
 * only the path from the root to the changed leaf — at most seven nodes of up to 32 slots,
 * four for 100,000 keys — and shares everything else with the map it came from, so the
 * control thread publishes a new snapshot in O(log n) whatever the table's size, and a
 * worker still holding the old one reads it undisturbed. A lookup walks that path with
 * no allocation and no lock (ARCHITECTURE.md, "Peers, keys and snapshots").
 *
 * <p>Each level takes the next 5 bits of a mixed 32-bit hash of the key; leaves whose
 * whole hash is equal share a slot as a chain.
 */
public final class HashTrie<V> {
    private static final HashTrie<?> EMPTY = new HashTrie<>(null, 0);
    private static final int BITS = 5;

    /** Slots hold a {@link Node} or a {@link Leaf}; the bitmap says which of the 32 are present. */
    private record Node(int bitmap, Object[] slots) {
    }

    private record Leaf(int hash, long hi, long lo, Object value, Leaf next) {
    }

    /** Visits values until it answers true. */
    public interface Visitor<V> {
        boolean visit(V value);
    }

    private final Object root;
    private final int size;

    private HashTrie(Object root, int size) {
        this.root = root;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <V> HashTrie<V> empty() {
        return (HashTrie<V>) EMPTY;
    }

    public int size() {
        return size;
    }

    static int hash(long hi, long lo) {
        long h = (hi ^ Long.rotateLeft(lo, 29) ^ lo) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The value for the key, or null. */
    @SuppressWarnings("unchecked")
    public V get(long hi, long lo) {
        int h = hash(hi, lo);
        Object o = root;
        for (int shift = 0; o instanceof Node n; shift += BITS) {
            int bit = 1 << ((h >>> shift) & 31);
            int bitmap = n.bitmap;
            if ((bitmap & bit) == 0) {
                return null;
            }
            o = n.slots[Integer.bitCount(bitmap & (bit - 1))];
        }
        for (Leaf l = (Leaf) o; l != null; l = l.next) {
            if (l.lo == lo && l.hi == hi) {
                return (V) l.value;
            }
        }
        return null;
    }

    /** A map with {@code value} for the key, replacing any value it had. */
    public HashTrie<V> put(long hi, long lo, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        int grown = get(hi, lo) == null ? 1 : 0;
        return new HashTrie<>(put(root, 0, new Leaf(hash(hi, lo), hi, lo, value, null)), size + grown);
    }

    /** A map without the key; this map if it had none. */
    public HashTrie<V> remove(long hi, long lo) {
        if (get(hi, lo) == null) {
            return this;
        }
        return new HashTrie<>(remove(root, 0, hash(hi, lo), hi, lo), size - 1);
    }

    /** Every value, in the trie's order (by hash), until the visitor answers true; returns that value or null. */
    @SuppressWarnings("unchecked")
    public V find(Visitor<? super V> visitor) {
        return (V) find(root, (Visitor<Object>) visitor);
    }

    public void forEach(Consumer<? super V> action) {
        find(v -> {
            action.accept(v);
            return false;
        });
    }

    /**
     * The values in slice {@code slice} of {@code slices} (0 ≤ slice < slices ≤ 32): those
     * whose hash falls in that share of the root's 32 slots. A key is always in the same slice,
     * so visiting slices 0 to {@code slices - 1} in turn visits every value once, however the
     * map changes in between — a periodic scan spread over several turns.
     */
    @SuppressWarnings("unchecked")
    public void forEachInSlice(int slice, int slices, Consumer<? super V> action) {
        if (slices < 1 || slices > 32 || slice < 0 || slice >= slices) {
            throw new IllegalArgumentException("slice " + slice + " of " + slices);
        }
        int from = slice * 32 / slices;
        int to = (slice + 1) * 32 / slices;
        Visitor<Object> all = v -> {
            action.accept((V) v);
            return false;
        };
        if (root instanceof Node n) {
            for (int b = from; b < to; b++) {
                int bit = 1 << b;
                if ((n.bitmap & bit) != 0) {
                    find(n.slots[Integer.bitCount(n.bitmap & (bit - 1))], all);
                }
            }
        } else if (root instanceof Leaf l && (l.hash & 31) >= from && (l.hash & 31) < to) {
            find(l, all);
        }
    }

    /** Some value (the first in trie order), or null when empty. */
    public V any() {
        return find(v -> true);
    }

    private static Object put(Object o, int shift, Leaf leaf) {
        if (o == null) {
            return leaf;
        }
        if (o instanceof Leaf l) {
            if (l.hash == leaf.hash) {
                return new Leaf(leaf.hash, leaf.hi, leaf.lo, leaf.value, without(l, leaf.hi, leaf.lo));
            }
            // Two hashes meet in one slot: push both one level down (they part by bit 31 at the latest).
            Node n = new Node(bit(l.hash, shift), new Object[] {l});
            return put(n, shift, leaf);
        }
        Node n = (Node) o;
        int bit = bit(leaf.hash, shift);
        int i = Integer.bitCount(n.bitmap & (bit - 1));
        if ((n.bitmap & bit) == 0) {
            Object[] slots = new Object[n.slots.length + 1];
            System.arraycopy(n.slots, 0, slots, 0, i);
            slots[i] = leaf;
            System.arraycopy(n.slots, i, slots, i + 1, n.slots.length - i);
            return new Node(n.bitmap | bit, slots);
        }
        Object[] slots = n.slots.clone();
        slots[i] = put(slots[i], shift + BITS, leaf);
        return new Node(n.bitmap, slots);
    }

    private static Object remove(Object o, int shift, int hash, long hi, long lo) {
        if (o instanceof Leaf l) {
            return without(l, hi, lo);
        }
        Node n = (Node) o;
        int bit = bit(hash, shift);
        int i = Integer.bitCount(n.bitmap & (bit - 1));
        Object child = remove(n.slots[i], shift + BITS, hash, hi, lo);
        if (child != null) {
            if (n.slots.length == 1 && child instanceof Leaf) {
                return child; // a node over one leaf: the leaf moves up
            }
            Object[] slots = n.slots.clone();
            slots[i] = child;
            return new Node(n.bitmap, slots);
        }
        if (n.slots.length == 1) {
            return null;
        }
        Object[] slots = new Object[n.slots.length - 1];
        System.arraycopy(n.slots, 0, slots, 0, i);
        System.arraycopy(n.slots, i + 1, slots, i, slots.length - i);
        if (slots.length == 1 && slots[0] instanceof Leaf) {
            return slots[0];
        }
        return new Node(n.bitmap & ~bit, slots);
    }

    /** The chain without the key (a copy of the links before it; the rest is shared). */
    private static Leaf without(Leaf l, long hi, long lo) {
        if (l == null) {
            return null;
        }
        if (l.hi == hi && l.lo == lo) {
            return l.next;
        }
        Leaf rest = without(l.next, hi, lo);
        return rest == l.next ? l : new Leaf(l.hash, l.hi, l.lo, l.value, rest);
    }

    private static Object find(Object o, Visitor<Object> visitor) {
        if (o instanceof Node n) {
            for (Object s : n.slots) {
                Object v = find(s, visitor);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
        for (Leaf l = (Leaf) o; l != null; l = l.next) {
            if (visitor.visit(l.value)) {
                return l.value;
            }
        }
        return null;
    }

    private static int bit(int hash, int shift) {
        return 1 << ((hash >>> shift) & 31);
    }
}

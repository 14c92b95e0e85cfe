package dev.ovpndpdk.dataplane.peer;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashTrieTest {
    private record Key(long hi, long lo) {
    }

    /** Random puts, replaces and removes against a HashMap; every version is checked in full. */
    @Test
    void randomOperationsMatchAHashMap() {
        Random r = new Random(13);
        for (int round = 0; round < 20; round++) {
            Map<Key, Integer> reference = new HashMap<>();
            HashTrie<Integer> trie = HashTrie.empty();
            List<Key> keys = new ArrayList<>();
            int range = 1 + r.nextInt(round < 10 ? 64 : 5000);
            for (int op = 0; op < 3000; op++) {
                Key k = keys.isEmpty() || r.nextInt(3) == 0
                        ? new Key(r.nextInt(4) == 0 ? r.nextLong() : 0, r.nextInt(range)) : keys.get(r.nextInt(keys.size()));
                if (r.nextInt(3) == 0) {
                    reference.remove(k);
                    trie = trie.remove(k.hi, k.lo);
                } else {
                    int v = r.nextInt();
                    reference.put(k, v);
                    trie = trie.put(k.hi, k.lo, v);
                    keys.add(k);
                }
                assertEquals(reference.size(), trie.size());
                assertEquals(reference.get(k), trie.get(k.hi, k.lo));
            }
            for (Key k : keys) {
                assertEquals(reference.get(k), trie.get(k.hi, k.lo), "key " + k);
            }
            List<Integer> seen = new ArrayList<>();
            trie.forEach(seen::add);
            assertEquals(reference.size(), seen.size());
            assertEquals(new HashSet<>(reference.values()).size(), new HashSet<>(seen).size());
        }
    }

    /** An older version is untouched by every change made after it (what a worker holding it relies on). */
    @Test
    void olderVersionsStayAsTheyWere() {
        HashTrie<Integer> t = HashTrie.empty();
        List<HashTrie<Integer>> versions = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            t = t.put(0, i, i);
            versions.add(t);
        }
        for (int i = 0; i < 2000; i += 2) {
            t = t.remove(0, i);
        }
        t = t.put(0, 1, -1);
        for (int v = 0; v < versions.size(); v += 97) {
            HashTrie<Integer> old = versions.get(v);
            assertEquals(v + 1, old.size());
            for (int i = 0; i < 2000; i++) {
                assertEquals(i <= v ? Integer.valueOf(i) : null, old.get(0, i));
            }
        }
        assertEquals(1000, t.size());
        assertEquals(-1, t.get(0, 1));
        assertNull(t.get(0, 2));
        assertSame(t, t.remove(0, 2), "removing a missing key changes nothing");
    }

    /** Keys whose whole 32-bit hash is equal share a slot; each is still found and removed alone. */
    @Test
    void keysWithEqualHashesChain() {
        Map<Integer, Long> byHash = new HashMap<>();
        long a = -1;
        long b = -1;
        for (long k = 0; a < 0; k++) {
            Long other = byHash.putIfAbsent(HashTrie.hash(0, k), k);
            if (other != null) {
                a = other;
                b = k;
            }
        }
        HashTrie<String> t = HashTrie.<String>empty().put(0, 7, "x").put(0, a, "a").put(0, b, "b");
        assertEquals(3, t.size());
        assertEquals("a", t.get(0, a));
        assertEquals("b", t.get(0, b));
        HashTrie<String> withoutA = t.remove(0, a);
        assertNull(withoutA.get(0, a));
        assertEquals("b", withoutA.get(0, b));
        assertEquals("x", withoutA.get(0, 7));
        assertEquals("a2", t.put(0, a, "a2").get(0, a));
        assertEquals("b", t.put(0, a, "a2").get(0, b));
        assertEquals(3, t.put(0, a, "a2").size());
        assertEquals(0, withoutA.remove(0, b).remove(0, 7).size());
    }

    /**
     * A change to a map of 100,000 keys allocates a path (a few nodes), not a copy: the
     * control thread's cost per operation does not grow with the table.
     */
    @Test
    void aChangeCopiesOnlyItsPath() {
        HashTrie<Integer> t = HashTrie.empty();
        for (int i = 0; i < 100_000; i++) {
            t = t.put(0, i, i);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        HashTrie<Integer> u = t;
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1000; i++) {
            u = u.put(0, 200_000 + i, i).remove(0, i);
        }
        long perChange = (mx.getThreadAllocatedBytes(tid) - before) / 2000;
        assertEquals(100_000, u.size());
        assertTrue(perChange < 2048, perChange + " bytes allocated per change");
    }

    /** However the map is cut, its slices hold every value exactly once. */
    @Test
    void slicesPartitionTheMap() {
        for (int size : new int[] {0, 1, 2, 40, 5000}) {
            HashTrie<Integer> t = HashTrie.empty();
            for (int i = 0; i < size; i++) {
                t = t.put(0, i * 7919L, i);
            }
            for (int slices : new int[] {1, 3, 10, 32}) {
                List<Integer> seen = new ArrayList<>();
                for (int s = 0; s < slices; s++) {
                    t.forEachInSlice(s, slices, seen::add);
                }
                assertEquals(size, seen.size(), size + " values in " + slices + " slices");
                assertEquals(size, new HashSet<>(seen).size());
            }
        }
    }

    @Test
    void findStopsAtTheFirstMatch() {
        HashTrie<Integer> t = HashTrie.empty();
        for (int i = 0; i < 500; i++) {
            t = t.put(0, i, i);
        }
        Set<Integer> visited = new HashSet<>();
        Integer hit = t.find(v -> {
            visited.add(v);
            return v == 321;
        });
        assertEquals(321, hit);
        assertTrue(visited.size() <= 500);
        assertNull(t.find(v -> false));
        assertNull(HashTrie.<Integer>empty().any());
    }
}

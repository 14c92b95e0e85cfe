package dev.ovpndpdk.dataplane.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayWindowTest {
    private static final long T0 = 1_000_000_000L;

    @Test
    void inOrderPacketsAreAccepted() {
        ReplayWindow w = new ReplayWindow();
        for (long id = 1; id <= 10_000; id++) {
            assertTrue(w.accept(id, T0), "id " + id);
        }
        assertEquals(10_000, w.highest());
    }

    @Test
    void packetIdZeroIsAlwaysRejected() {
        ReplayWindow w = new ReplayWindow();
        assertFalse(w.accept(0, T0));
        assertTrue(w.accept(1, T0));
        assertFalse(w.accept(0, T0));
    }

    @Test
    void replayedPacketIsDropped() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(5, T0));
        assertFalse(w.accept(5, T0));
        assertTrue(w.accept(6, T0));
        assertFalse(w.accept(5, T0));
        assertFalse(w.accept(6, T0));
    }

    @Test
    void reorderedPacketsWithinTheWindowAreAcceptedOnce() {
        ReplayWindow w = new ReplayWindow(64);
        assertTrue(w.accept(100, T0));
        assertTrue(w.accept(98, T0));
        assertTrue(w.accept(99, T0));
        assertTrue(w.accept(37, T0)); // 100 - 63: last id inside a 64 window
        assertFalse(w.accept(98, T0));
        assertFalse(w.accept(37, T0));
    }

    @Test
    void packetOlderThanTheWindowIsDropped() {
        ReplayWindow w = new ReplayWindow(64);
        assertTrue(w.accept(100, T0));
        assertFalse(w.accept(36, T0)); // 100 - 64
        ReplayWindow big = new ReplayWindow(2048);
        assertTrue(big.accept(5000, T0));
        assertTrue(big.accept(5000 - 2047, T0));
        assertFalse(big.accept(5000 - 2048, T0));
    }

    @Test
    void jumpBeyondTheWindowForgetsEverythingBehind() {
        ReplayWindow w = new ReplayWindow(64);
        for (long id = 1; id <= 10; id++) {
            assertTrue(w.accept(id, T0));
        }
        assertTrue(w.accept(1_000_000, T0));
        assertFalse(w.accept(10, T0));
        assertTrue(w.accept(999_990, T0));
        assertFalse(w.accept(999_990, T0));
    }

    @Test
    void jumpThatExactlyFillsTheRingClearsStaleBits() {
        // 64-packet window: ring of 64 bits. Ids 1..64 seen, then id 128 arrives:
        // id 65..127 land on the bits of 1..63 and must read as unseen.
        ReplayWindow w = new ReplayWindow(64);
        for (long id = 1; id <= 64; id++) {
            assertTrue(w.accept(id, T0));
        }
        assertTrue(w.accept(128, T0));
        for (long id = 65; id < 128; id++) {
            assertTrue(w.accept(id, T0), "id " + id);
        }
    }

    @Test
    void silenceFreezesBacktrackingLikeLinux() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(10, T0));
        assertTrue(w.accept(20, T0));
        long later = T0 + ReplayWindow.EXPIRE_NANOS;
        assertFalse(w.accept(15, later), "backtrack after 30 s of silence");
        assertTrue(w.accept(21, later), "forward still fine");
        assertTrue(w.accept(25, later));
        assertTrue(w.accept(23, later), "backtrack above the frozen floor");
    }

    @ParameterizedTest
    @ValueSource(ints = {63, 0, -1, 65537, 1 << 20})
    void windowSizeOutsideTheRangeIsRefused(int size) {
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(size));
    }

    @Test
    void largestWindowWorks() {
        ReplayWindow w = new ReplayWindow(65536);
        assertTrue(w.accept(100_000, T0));
        assertTrue(w.accept(100_000 - 65535, T0));
        assertFalse(w.accept(100_000 - 65536, T0));
    }

    /** Random traffic against the definition: accept iff new, non-zero and inside the window. */
    @ParameterizedTest
    @ValueSource(ints = {64, 100, 2048, 65536})
    void matchesTheReferenceModelOnRandomTraffic(int size) {
        ReplayWindow w = new ReplayWindow(size);
        Set<Long> seen = new HashSet<>();
        long highest = 0;
        Random r = new Random(size);
        long base = 1;
        for (int i = 0; i < 200_000; i++) {
            long id;
            int kind = r.nextInt(10);
            if (kind < 6) {
                id = base++;                                   // in order
            } else if (kind < 9) {
                id = Math.max(0, highest - r.nextInt(size + size / 2 + 1)); // backtrack, some too old
            } else {
                id = highest + 1 + r.nextInt(3 * size);        // jump
                base = id + 1;
            }
            boolean expected = id != 0 && !seen.contains(id) && id > highest - size;
            assertEquals(expected, w.accept(id, T0), "id " + id + " highest " + highest);
            if (expected) {
                seen.add(id);
                highest = Math.max(highest, id);
            }
        }
    }

    /** The read-only check before submit agrees with accept on every id, and changes nothing. */
    @Test
    void mayAcceptForeseesAcceptExactly() {
        Random r = new Random(11);
        for (int size : new int[] {64, 2048}) {
            ReplayWindow w = new ReplayWindow(size);
            long now = 0;
            long top = 1;
            for (int i = 0; i < 200_000; i++) {
                long id = switch (r.nextInt(4)) {
                    case 0 -> top + 1;
                    case 1 -> top + r.nextInt(3 * size);
                    case 2 -> Math.max(0, top - r.nextInt(2 * size));
                    default -> r.nextInt(5) == 0 ? 0 : top;
                };
                now += r.nextInt(1000) == 0 ? ReplayWindow.EXPIRE_NANOS : 1000;
                boolean may = w.mayAccept(id, now);
                assertEquals(may, w.mayAccept(id, now), "asking twice changes nothing");
                assertEquals(may, w.accept(id, now), "id " + id + " at highest " + w.highest());
                top = Math.max(top, id);
            }
        }
    }
}

package dev.ovpndpdk.dataplane.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle strategies' state machines: when they sleep, for how long at most, and when they stop. */
class IdleStrategyTest {
    private final List<Long> sleeps = new ArrayList<>();
    private final Waiter recording = Waiter.described("recording", sleeps::add);

    @Test
    void backoffSpinsThenYieldsThenSleepsUntilWorkComes() {
        BackoffIdle b = new BackoffIdle("backoff", recording, 10_000_000);
        for (int i = 0; i < BackoffIdle.SPINS; i++) {
            assertEquals(BackoffIdle.Phase.SPIN, b.phase(), "empty pass " + i);
            b.idle(0);
        }
        for (int i = 0; i < BackoffIdle.YIELDS; i++) {
            assertEquals(BackoffIdle.Phase.YIELD, b.phase());
            b.idle(0);
        }
        assertEquals(List.of(), sleeps, "no sleep while spinning and yielding");
        for (int i = 0; i < 3; i++) {
            assertEquals(BackoffIdle.Phase.SLEEP, b.phase());
            b.idle(0);
        }
        assertEquals(List.of(10_000_000L, 10_000_000L, 10_000_000L), sleeps, "keeps sleeping, each bounded");
        b.idle(1);
        assertEquals(BackoffIdle.Phase.SPIN, b.phase(), "a pass with work starts the back-off again");
        b.idle(0);
        assertEquals(3, sleeps.size());
    }

    @Test
    void workKeepsBackoffAwake() {
        BackoffIdle b = new BackoffIdle("backoff", recording, 1);
        for (int i = 0; i < 1000; i++) {
            b.idle(i % (BackoffIdle.SPINS + BackoffIdle.YIELDS) == 0 ? 5 : 0);
        }
        assertEquals(List.of(), sleeps);
    }

    @Test
    void spinNeverSleeps() {
        IdleStrategy s = Idle.SPIN.strategy(recording, 1);
        assertInstanceOf(BusySpinIdle.class, s);
        for (int i = 0; i < 10_000; i++) {
            s.idle(0);
        }
        assertEquals(List.of(), sleeps);
    }

    @Test
    void backoffAndInterruptSleepInTheBackendsWaiter() {
        for (Idle i : List.of(Idle.BACKOFF, Idle.INTERRUPT)) {
            IdleStrategy s = i.strategy(recording, 7);
            assertInstanceOf(BackoffIdle.class, s);
            assertTrue(s.describe().startsWith(i.option() + " ") && s.describe().contains("recording"), s.describe());
        }
    }

    @Test
    void parsesTheOptionAndRefusesOthers() {
        assertEquals(Idle.SPIN, Idle.parse("spin"));
        assertEquals(Idle.BACKOFF, Idle.parse(" Backoff"));
        assertEquals(Idle.INTERRUPT, Idle.parse("interrupt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Idle.parse("sleep"));
        assertTrue(e.getMessage().contains("spin, backoff or interrupt"));
    }
}

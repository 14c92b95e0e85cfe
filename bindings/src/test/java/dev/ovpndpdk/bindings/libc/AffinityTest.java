package dev.ovpndpdk.bindings.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AffinityTest {

    @Test
    void threadPinnedToCpu0RunsOnCpu0() throws Exception {
        BitSet allowed = Affinity.currentThread();
        Assumptions.assumeTrue(allowed.get(0), "CPU 0 not in this process's affinity mask " + allowed);
        AtomicReference<Object> result = new AtomicReference<>();
        // A thread of its own: pinning is per thread, and the test runner's thread must keep its mask.
        Thread t = new Thread(() -> {
            try {
                Affinity.pinCurrentThread(0);
                BitSet now = Affinity.currentThread();
                int cpu = Affinity.currentCpu();
                result.set(new Object[] {now, cpu});
            } catch (Throwable e) {
                result.set(e);
            }
        }, "pinned-to-0");
        t.start();
        t.join(5000);
        if (result.get() instanceof Throwable e) {
            throw new AssertionError(e);
        }
        Object[] r = (Object[]) result.get();
        BitSet only0 = new BitSet();
        only0.set(0);
        assertEquals(only0, r[0]);
        assertEquals(0, r[1]);
        assertEquals(allowed, Affinity.currentThread(), "the test thread's own mask changed");
    }

    @Test
    void currentMaskIsNotEmptyAndContainsTheCurrentCpu() throws Exception {
        BitSet mask = Affinity.currentThread();
        assertTrue(mask.cardinality() >= 1);
        assertTrue(mask.get(Affinity.currentCpu()), "running on a CPU outside the mask " + mask);
    }

    @Test
    void emptySetIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Affinity.setCurrentThread(new BitSet()));
    }
}

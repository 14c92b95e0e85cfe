package dev.ovpndpdk.dataplane.port.dpdk;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --idle interrupt}'s sleep (no DPDK needed): queues that need arming are armed before the
 * sleep and disarmed after it, in that order; the sleep is as long as asked while every queue has
 * an interrupt, and bounded by the poll interval while one has none.
 */
class RxInterruptWaiterTest {
    private final List<String> calls = new ArrayList<>();
    private final RxInterruptWaiter.Arming arming = new RxInterruptWaiter.Arming() {
        @Override
        public int enable(int port, int queue) {
            calls.add("enable " + port + "/" + queue);
            return 0;
        }

        @Override
        public int disable(int port, int queue) {
            calls.add("disable " + port + "/" + queue);
            return 0;
        }
    };
    private final RxInterruptWaiter.Sleep sleep = nanos -> calls.add("sleep " + nanos);

    private static RxInterruptWaiter.Queue armed(int port) {
        return new RxInterruptWaiter.Queue("port " + port, port, 1, 10 + port, true);
    }

    private static RxInterruptWaiter.Queue selfArmed(int port) {
        return new RxInterruptWaiter.Queue("port " + port, port, 1, 10 + port, false);
    }

    private static RxInterruptWaiter.Queue none(int port) {
        return new RxInterruptWaiter.Queue("port " + port, port, 1, -1, false);
    }

    @Test
    void armsSleepsAndDisarmsEveryQueueWithAnInterrupt() {
        RxInterruptWaiter w = new RxInterruptWaiter(List.of(armed(0), selfArmed(1), armed(2)), arming, sleep, 200_000);
        w.await(10_000_000);
        assertEquals(List.of("enable 0/1", "enable 2/1", "sleep 10000000", "disable 0/1", "disable 2/1"), calls);
        assertEquals(List.of(), w.polled());
    }

    @Test
    void aQueueWithoutInterruptBoundsTheSleep() {
        RxInterruptWaiter w = new RxInterruptWaiter(List.of(none(0), selfArmed(1)), arming, sleep, 200_000);
        w.await(10_000_000);
        assertEquals(List.of("sleep 200000"), calls);
        assertEquals(1, w.polled().size());
        assertTrue(w.describe().contains("at most 200 µs for port 0"), w.describe());
        calls.clear();
        w.await(50_000);
        assertEquals(List.of("sleep 50000"), calls, "never longer than asked");
    }

    @Test
    void noInterruptAtAllParksWithoutTouchingThem() {
        RxInterruptWaiter w = new RxInterruptWaiter(List.of(none(0), none(1)), arming, sleep, 1_000);
        w.await(10_000_000);
        assertEquals(List.of(), calls);
        assertTrue(w.describe().startsWith("park up to 1 µs"), w.describe());
    }
}

package dev.ovpndpdk.dataplane.engine;

/**
 * {@code --idle backoff} and {@code --idle interrupt}: after the last packet, busy-spin a few
 * passes, then yield a few, then sleep in a {@link Waiter} until packets may be there — a busy
 * worker never sleeps, an idle one costs almost nothing. The strategies differ only in the
 * waiter: one that parks or polls descriptors, or one that sleeps on RX interrupts.
 *
 * <p>The waiter given here is the one the worker sleeps in, already wrapped by the worker so that
 * it is offline for the grace period while asleep ({@link WorkerThread}).
 */
public final class BackoffIdle implements IdleStrategy {
    /** Empty passes spun after the last packet: a burst's gap on a busy queue costs no syscall. */
    static final int SPINS = 20;
    /** Then empty passes that give the core away but stay runnable. */
    static final int YIELDS = 4;

    /** Where the state machine is after an empty pass (for tests and the curious). */
    enum Phase { SPIN, YIELD, SLEEP }

    private final Waiter sleep;
    private final long maxSleepNanos;
    private final String name;
    private int idle;

    /**
     * @param name          what the start-up line calls the strategy ("backoff", "interrupt")
     * @param sleep         how the worker sleeps, offline for the grace period
     * @param maxSleepNanos longest sleep: bounds how late a queued keepalive ping goes out
     */
    public BackoffIdle(String name, Waiter sleep, long maxSleepNanos) {
        this.name = name;
        this.sleep = sleep;
        this.maxSleepNanos = maxSleepNanos;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            idle = 0;
            return;
        }
        switch (phase()) {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case SLEEP -> sleep.await(maxSleepNanos);
        }
        if (idle < SPINS + YIELDS) {
            idle++;
        }
    }

    /** What the next empty pass leads to. */
    Phase phase() {
        return idle < SPINS ? Phase.SPIN : idle < SPINS + YIELDS ? Phase.YIELD : Phase.SLEEP;
    }

    @Override
    public String describe() {
        return name + " (spin " + SPINS + " passes, yield " + YIELDS + ", then " + sleep.describe() + ")";
    }
}

package dev.ovpndpdk.dataplane.engine;

import java.util.Locale;

/**
 * The idle strategy the operator chose ({@code --idle}), once at start for every worker.
 * docs/dpdk-backend.md ("Idle strategy") says what each costs and why the default is what it is.
 */
public enum Idle {
    /** Never sleep: isolated cores. */
    SPIN,
    /** Spin, yield, then sleep in the backend's waiter (the socket backend: poll; DPDK: a short park). */
    BACKOFF,
    /** As backoff, but a DPDK worker sleeps in epoll on its queues' RX interrupts where the drivers have them. */
    INTERRUPT;

    /** The default: measured in docs/performance.md ("Idle strategy"). */
    public static final Idle DEFAULT = INTERRUPT;

    public static Idle parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "spin" -> SPIN;
            case "backoff" -> BACKOFF;
            case "interrupt" -> INTERRUPT;
            default -> throw new IllegalArgumentException("unknown idle strategy '" + s
                    + "' (expected spin, backoff or interrupt)");
        };
    }

    /** The name {@code --idle} takes. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A strategy for one worker that sleeps in {@code sleep} (already offline for the grace period). */
    public IdleStrategy strategy(Waiter sleep, long maxSleepNanos) {
        return this == SPIN ? new BusySpinIdle() : new BackoffIdle(option(), sleep, maxSleepNanos);
    }
}

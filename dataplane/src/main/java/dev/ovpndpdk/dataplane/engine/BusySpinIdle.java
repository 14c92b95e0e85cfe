package dev.ovpndpdk.dataplane.engine;

/**
 * {@code --idle spin}: never sleep, never yield — the lowest latency, a whole core per worker
 * whether or not packets come. For workers on isolated cores ({@code isolcpus}, nohz_full), as
 * DPDK's own run-to-completion loops do it. The worker never goes offline for the grace period.
 */
public final class BusySpinIdle implements IdleStrategy {
    @Override
    public void idle(int workCount) {
        if (workCount <= 0) {
            Thread.onSpinWait();
        }
    }

    @Override
    public String describe() {
        return "spin (never sleeps)";
    }
}

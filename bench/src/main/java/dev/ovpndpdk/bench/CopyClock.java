package dev.ovpndpdk.bench;

/**
 * Times the memory ports' copy-in — the part of a receive that a NIC's DMA does on an
 * appliance — so that {@link PipelineBench} can report the worker's CPU time without it.
 *
 * <p>By wall clock ({@link System#nanoTime}, ~20 ns a call, twice per burst), because the
 * thread CPU clock is a system call here. A burst's copy takes 0.2–2 µs; one that reads longer
 * than {@link #PREEMPTED} had the thread taken off its core in the middle (these machines are
 * shared), and counts as an average burst instead of as the time it was away — otherwise
 * subtracting the copy from the thread's CPU time would subtract time that was never CPU time.
 */
final class CopyClock {
    static final long PREEMPTED = 50_000;

    private long nanos;
    private long timed;
    private long preempted;

    long start() {
        return System.nanoTime();
    }

    void stop(long t0) {
        long d = System.nanoTime() - t0;
        if (d < PREEMPTED) {
            nanos += d;
            timed++;
        } else {
            preempted++;
        }
    }

    /** Copy time so far, preempted bursts counted at the average of the others. */
    long nanos() {
        return timed == 0 ? 0 : nanos + preempted * nanos / timed;
    }
}

package dev.ovpndpdk.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The calling thread's CPU time. On a machine shared with other work (2 cores, other builds
 * and benchmarks) wall-clock throughput says as much about the neighbours as about the code;
 * packets per second of the benchmark thread's own CPU time is what the code does on a core
 * it has to itself (cache sharing with the neighbours still shows). Read once per iteration.
 */
final class CpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuClock() {
    }

    static long now() {
        return THREADS.getCurrentThreadCpuTime();
    }
}

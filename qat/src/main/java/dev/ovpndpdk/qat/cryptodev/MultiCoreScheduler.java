package dev.ovpndpdk.qat.cryptodev;

/**
 * What DPDK 22.11's multi-core crypto scheduler needs from an engine with more than one queue
 * pair, whose workers each use their own.
 *
 * <p>Its queue pairs are not independent (drivers/crypto/scheduler/scheduler_multicore.c):
 * there is one enqueue ring and one dequeue ring per scheduler worker lcore, shared by every
 * queue pair, and both are created single-producer/single-consumer. Two threads enqueueing on
 * their own queue pairs race on the one producer index (requests overwritten: lost, or seen
 * twice and then sealed or opened twice in place, which fails authentication), and a dequeue on
 * queue pair 0 takes whatever the lcore finished, queue pair 1's requests included. So:
 * <ul>
 *   <li>{@code ordering=enable}: completions then go back through each queue pair's own order
 *       ring, marked done in the op by the scheduler's lcore, and the shared dequeue ring is not
 *       used;
 *   <li>enqueues on all its queue pairs serialised by one lock ({@link CryptodevQueue#submit}):
 *       the shared enqueue ring's single producer is then one thread at a time. The lock is
 *       taken once per burst, and held for the shim's one downcall.
 * </ul>
 */
final class MultiCoreScheduler {
    private MultiCoreScheduler() {
    }

    /** Whether the vdev arguments make a multi-core scheduler. */
    static boolean isMultiCore(String devargs) {
        String[] parts = devargs.trim().split(",");
        if (!parts[0].startsWith("crypto_scheduler")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].equals("mode=multi-core")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The vdev arguments to create: with {@code ordering=enable} added for a multi-core scheduler
     * with more than one queue pair; unchanged otherwise.
     *
     * @throws IllegalArgumentException one line, when they say {@code ordering=disable} there
     */
    static String devargs(String devargs, int queues) {
        if (queues < 2 || !isMultiCore(devargs)) {
            return devargs;
        }
        String spec = devargs.trim();
        for (String kv : spec.split(",")) {
            if (kv.equals("ordering=enable")) {
                return spec;
            }
            if (kv.startsWith("ordering=")) {
                throw new IllegalArgumentException("cryptodev " + spec + ": a multi-core scheduler with " + queues
                        + " queue pairs needs ordering=enable (DPDK 22.11 shares its dequeue ring between queue pairs)");
            }
        }
        return spec + ",ordering=enable";
    }
}

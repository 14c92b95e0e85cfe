package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.dataplane.engine.Waiter;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * {@code --idle interrupt} on the DPDK backend: an idle worker arms the RX interrupts of its
 * queues, sleeps until one of their descriptors is readable or the sleep is up, and disarms them
 * before it polls again. A queue whose driver has no RX interrupt is still polled: the sleep is
 * then bounded by the backoff's short park, so a packet there waits no longer than under
 * {@code --idle backoff}, and the queues that do have interrupts wake the worker at once.
 *
 * <p>One per worker, used on the worker's thread only.
 */
final class RxInterruptWaiter implements Waiter {

    /**
     * One RX queue as the waiter sees it: {@code fd} &lt; 0 when its driver has no interrupt;
     * {@code arm} when the interrupt must be enabled before each sleep (not so for a descriptor
     * that is the queue itself, net_tap's).
     */
    record Queue(String name, int port, int queue, int fd, boolean arm) {
        boolean interrupts() {
            return fd >= 0;
        }
    }

    /** Arming a queue's interrupt: {@code rte_eth_dev_rx_intr_enable}/{@code _disable} in the daemon. */
    interface Arming {
        int enable(int port, int queue);

        int disable(int port, int queue);
    }

    /** Sleeping on the armed queues' descriptors: epoll in the daemon. */
    interface Sleep {
        void await(long nanos);
    }

    private final List<String> interrupts;
    private final Queue[] armed;
    private final List<Queue> polled;
    private final Arming arming;
    private final Sleep sleep;
    private final long pollNanos;

    /**
     * @param queues    the worker's RX queues
     * @param pollNanos longest sleep while a queue without interrupts must still be polled
     */
    RxInterruptWaiter(List<Queue> queues, Arming arming, Sleep sleep, long pollNanos) {
        this.interrupts = queues.stream().filter(Queue::interrupts).map(Queue::name).toList();
        this.armed = queues.stream().filter(Queue::arm).toArray(Queue[]::new);
        this.polled = queues.stream().filter(q -> !q.interrupts()).toList();
        this.arming = arming;
        this.sleep = sleep;
        this.pollNanos = pollNanos;
    }

    /** The queues without RX interrupts, polled as under {@code --idle backoff}. */
    List<Queue> polled() {
        return polled;
    }

    @Override
    public void await(long maxNanos) {
        long nanos = polled.isEmpty() ? maxNanos : Math.min(maxNanos, pollNanos);
        if (interrupts.isEmpty()) {
            LockSupport.parkNanos(nanos);
            return;
        }
        for (Queue q : armed) {
            arming.enable(q.port(), q.queue());
        }
        sleep.await(nanos);
        for (Queue q : armed) {
            arming.disable(q.port(), q.queue());
        }
    }

    @Override
    public String describe() {
        if (interrupts.isEmpty()) {
            return "park up to " + pollNanos / 1000 + " µs (no RX interrupts on any queue)";
        }
        String on = String.join(", ", interrupts);
        return "sleep on the RX interrupts of " + on + (polled.isEmpty() ? ""
                : " and at most " + pollNanos / 1000 + " µs for " + polled.stream().map(Queue::name)
                .collect(Collectors.joining(", ")) + " (no interrupts there)");
    }
}

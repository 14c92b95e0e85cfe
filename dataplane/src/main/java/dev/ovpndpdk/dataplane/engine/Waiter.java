package dev.ovpndpdk.dataplane.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * How an idle worker sleeps until packets may be there: the socket backend polls its UDP
 * socket and TUN queue (wakes at once on a packet, costs no CPU while idle); the DPDK backend
 * sleeps on its queues' RX interrupts where the drivers have them, else parks briefly; ports
 * without file descriptors just park.
 */
@FunctionalInterface
public interface Waiter {
    /** Returns when work may be waiting or after at most {@code maxNanos}. */
    void await(long maxNanos);

    /** For the worker's start-up line: how it sleeps. */
    default String describe() {
        return "sleep";
    }

    Waiter PARK = LockSupport::parkNanos;

    /** A waiter that {@link #describe}s itself as {@code description}. */
    static Waiter described(String description, Waiter w) {
        return new Waiter() {
            @Override
            public void await(long maxNanos) {
                w.await(maxNanos);
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}

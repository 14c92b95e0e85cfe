package dev.ovpndpdk.dataplane.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * How an idle worker sleeps until packets may be there: the socket backend polls its UDP
 * socket and TUN queue (wakes at once on a packet, costs no CPU while idle); ports without
 * file descriptors just park.
 */
@FunctionalInterface
public interface Waiter {
    /** Returns when work may be waiting or after at most {@code maxNanos}. */
    void await(long maxNanos);

    Waiter PARK = LockSupport::parkNanos;
}

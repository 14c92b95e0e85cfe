package dev.ovpndpdk.dataplane.engine;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one {@link Worker} on its own thread: pin, then loop {@code doWork} with a backoff
 * idle strategy (Agrona's shape): busy-spin a little after the last packet, then yield, then
 * sleep in the backend's {@link Waiter} — offline for the grace period while asleep — so an
 * idle daemon uses almost no CPU and a busy one never sleeps.
 */
final class WorkerThread implements Runnable {
    private static final Logger LOG = Logger.getLogger(WorkerThread.class.getName());
    private static final int SPINS = 20;
    private static final int YIELDS = 4;
    /** Longest sleep: bounds how late a queued keepalive ping goes out. */
    static final long MAX_SLEEP_NANOS = 10_000_000;

    private final Worker worker;
    private final GracePeriod grace;
    private final Waiter waiter;
    private final Runnable pin;
    private volatile boolean running = true;
    private final Thread thread;

    WorkerThread(Worker worker, GracePeriod grace, Waiter waiter, Runnable pin) {
        this.worker = worker;
        this.grace = grace;
        this.waiter = waiter;
        this.pin = pin;
        this.thread = new Thread(this, "ovpn-worker-" + worker.index());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(5000);
        if (thread.isAlive()) {
            LOG.warning(thread.getName() + " did not stop within 5 s");
        }
    }

    @Override
    public void run() {
        int w = worker.index();
        try {
            pin.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker " + w + ": could not pin the thread: " + e.getMessage());
        }
        grace.online(w);
        int idle = 0;
        try {
            while (running) {
                if (worker.doWork(System.nanoTime()) > 0) {
                    idle = 0;
                } else if (++idle < SPINS) {
                    Thread.onSpinWait();
                } else if (idle < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    grace.offline(w);
                    waiter.await(MAX_SLEEP_NANOS);
                    grace.online(w);
                }
            }
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "worker " + w + " died", t);
        } finally {
            grace.offline(w);
        }
    }
}

package dev.ovpndpdk.dataplane.engine;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one {@link Worker} on its own thread: pin, then loop {@code doWork} and the
 * {@link IdleStrategy} the operator chose ({@link Idle}). Whatever sleeps, sleeps in the
 * backend's {@link Waiter} offline for the grace period, so a sleeping worker never holds up
 * key reclamation.
 */
final class WorkerThread implements Runnable {
    private static final Logger LOG = Logger.getLogger(WorkerThread.class.getName());
    /** Longest sleep: bounds how late a queued keepalive ping goes out. */
    static final long MAX_SLEEP_NANOS = 10_000_000;

    private final Worker worker;
    private final GracePeriod grace;
    private final Idle idle;
    private final Waiter waiter;
    private final Runnable pin;
    private volatile boolean running = true;
    private final Thread thread;

    WorkerThread(Worker worker, GracePeriod grace, Idle idle, Waiter waiter, Runnable pin) {
        this.worker = worker;
        this.grace = grace;
        this.idle = idle;
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
        IdleStrategy strategy = idle.strategy(Waiter.described(waiter.describe(), nanos -> {
            grace.offline(w);
            waiter.await(nanos);
            grace.online(w);
        }), MAX_SLEEP_NANOS);
        LOG.info(() -> "worker " + w + ": idle strategy " + strategy.describe());
        try {
            while (running) {
                strategy.idle(worker.doWork(System.nanoTime()));
            }
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "worker " + w + " died", t);
        } finally {
            grace.offline(w);
        }
    }
}

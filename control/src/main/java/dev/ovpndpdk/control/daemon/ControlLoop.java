package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Notification;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control thread (ARCHITECTURE.md: one thread owns all configuration): serve the control
 * socket, and every {@link #TICK_NANOS} run the engine's timers — keepalive pings and expiry,
 * worker events to notifications, key reclamation after grace periods. The thread that calls
 * {@link #run} is the engine's single writer until {@link #stop}.
 */
public final class ControlLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(ControlLoop.class.getName());
    /** The engine wants a tick every ~100 ms (keepalive resolution, notification latency). */
    static final long TICK_NANOS = 100_000_000L;

    private final Engine engine;
    private final ControlServer server;
    private volatile boolean running = true;

    /** Connects the engine's notifications to the server's subscribers. */
    public ControlLoop(Engine engine, ControlServer server) {
        this.engine = engine;
        this.server = server;
        engine.addListener(server::publish);
        engine.addListener(ControlLoop::log);
    }

    /** Serves until {@link #stop}; returns within about one tick of it. */
    @Override
    public void run() {
        long nextTick = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            if (now - nextTick >= 0) {
                tick(now);
                nextTick = now + TICK_NANOS;
            }
            int wait = (int) Math.max(0, Math.min(TICK_NANOS, nextTick - now) / 1_000_000);
            try {
                server.poll(wait);
            } catch (IOException | RuntimeException e) {
                // poll(2) itself failing is not a client's doing; keep the tunnel up and say so.
                LOG.log(Level.WARNING, "control socket", e);
                sleepQuietly(wait);
            }
        }
    }

    private void tick(long now) {
        try {
            engine.tick(now);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "engine timers", e);
        }
    }

    /** Asks {@link #run} to return; any thread, e.g. a signal handler. */
    public void stop() {
        running = false;
    }

    public boolean running() {
        return running;
    }

    /** The events the engine does not log itself; removals it logs already. */
    private static void log(Notification n) {
        switch (n) {
            case Notification.PeerFloat f -> LOG.info(() -> "peer " + f.peerId() + " floated to " + f.remote());
            case Notification.KeyRotate k -> LOG.info(() -> "peer " + k.peerId() + ": key-id " + k.keyId()
                    + " is near its packet-id limit, renegotiation requested");
            case Notification.PeerDeleted d -> {
            }
        }
    }

    private static void sleepQuietly(int millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

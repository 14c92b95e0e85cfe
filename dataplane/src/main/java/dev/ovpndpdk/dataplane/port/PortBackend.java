package dev.ovpndpdk.dataplane.port;

import dev.ovpndpdk.bindings.libc.Affinity;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.dataplane.engine.Idle;
import dev.ovpndpdk.dataplane.engine.Waiter;

import java.util.Map;

/**
 * What a daemon needs from a port backend (socket or DPDK): one wire and one tunnel port per
 * worker, how an idle worker sleeps, and what runs first on each worker thread.
 */
public interface PortBackend extends AutoCloseable {
    /** The host's tunnel interface. */
    String tunName();

    WirePort wirePort(int worker);

    TunnelPort tunnelPort(int worker);

    /** How worker {@code w} sleeps when idle. */
    Waiter waiter(int w);

    /**
     * How worker {@code w} sleeps under {@code idle}: the backend's {@link #waiter(int)} unless it
     * has something better for the strategy (the DPDK backend: RX interrupts).
     */
    default Waiter waiter(int w, Idle idle) {
        return waiter(w);
    }

    /**
     * Runs first on worker {@code w}'s thread: pinning to {@code cpus[w % cpus.length]} when
     * {@code cpus} is not null, and whatever the backend needs of its threads.
     */
    Runnable threadSetUp(int w, int[] cpus);

    /**
     * The tunnel MTU the backend needs, which PING reports so that OpenVPN's {@code tun-mtu}
     * can match it (the DPDK backend: the wire MTU less the outer headers); 0 when any will do.
     */
    default int tunnelMtu() {
        return 0;
    }

    /** One line for the daemon's "ready" log: what the backend runs on. */
    String describe();

    /**
     * Counters the backend keeps of its own, which the engine never sees (the DPDK backend's
     * exception path, mbuf pool and driver error counters), by their GET_STATS field names.
     * Read on the control thread; none by default.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    void close();

    /** What {@link #steerByDestination} runs: the attach call of the backend's kind of TUN. */
    @FunctionalInterface
    interface SteeringAttach {
        void attach() throws java.io.IOException;
    }

    /**
     * Makes the kernel put every outgoing packet to one destination on one queue of the TUN
     * device ({@code TunSteering}), so that one worker encrypts every packet to a peer's VPN
     * address and its packet-ids leave in order. Only for more than one queue. A kernel that
     * refuses (no CAP_BPF, an old kernel) costs a warning, not the start: the kernel's own
     * flow-following choice stays.
     *
     * @return how the queue of an outgoing packet is chosen, for the start-up line
     */
    static String steerByDestination(String tun, int queues, SteeringAttach attach) {
        if (queues < 2) {
            return "one queue";
        }
        try {
            attach.attach();
            return "queue by destination";
        } catch (java.io.IOException e) {
            java.util.logging.Logger.getLogger(PortBackend.class.getName()).warning(tun
                    + ": outgoing packets not steered to queues by destination (" + e.getMessage() + "): the kernel follows"
                    + " flows, and a peer whose packets come from two workers may see packet-ids out of order");
            return "queue by flow";
        }
    }

    /** Pins the calling worker thread {@code w} to {@code cpus[w % cpus.length]}; nothing when {@code cpus} is null. */
    static void pin(int w, int[] cpus) {
        if (cpus == null) {
            return;
        }
        try {
            Affinity.pinCurrentThread(cpus[w % cpus.length]);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}

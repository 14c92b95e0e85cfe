package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.socket.SocketBackend;
import dev.ovpndpdk.dataplane.port.socket.TunOffload;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One running daemon: a tunnel interface, its workers, and its control socket. {@link #start}
 * brings everything up in the order that fails cheapest first (a live daemon on the control
 * path, the crypto engine, the TUN device and sockets, the workers, the socket); {@link #run}
 * is the control thread's loop; {@link #close} takes everything down so that nothing is left:
 * peers removed with TEARDOWN (subscribers hear it), keys zeroed, TUN device and socket file
 * gone.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    public enum Backend {
        SOCKET, DPDK, AUTO;

        public static Backend parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "socket" -> SOCKET;
                case "dpdk" -> DPDK;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("unknown backend '" + s + "' (expected socket, dpdk or auto)");
            };
        }
    }

    /**
     * @param cpus         CPUs for the workers, worker w pinned to {@code cpus[w % length]}; null:
     *                     not pinned, the scheduler places them (several daemons on one host,
     *                     test namespaces), as DPDK and VPP pin only on an explicit core list
     * @param replayWindow packets, 64..2048 or as the engine allows
     */
    public record Options(String tun, InetSocketAddress listen, Mode mode, int workers, Backend backend,
                          String crypto, Path control, int[] cpus, int replayWindow, TunOffload offload) {
        /** Without the TUN offloads' switch: on (the kernel's offloads are used where it has them). */
        public Options(String tun, InetSocketAddress listen, Mode mode, int workers, Backend backend,
                       String crypto, Path control, int[] cpus, int replayWindow) {
            this(tun, listen, mode, workers, backend, crypto, control, cpus, replayWindow, TunOffload.ON);
        }
    }

    private final Options options;
    private final SocketBackend backend;
    private final Engine engine;
    private final ControlServer server;
    private final ControlLoop loop;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private boolean closed;

    private Daemon(Options options, SocketBackend backend, Engine engine, ControlServer server) {
        this.options = options;
        this.backend = backend;
        this.engine = engine;
        this.server = server;
        this.loop = new ControlLoop(engine, server);
    }

    /** Brings the daemon up; logs "ready" when clients can use it. */
    public static Daemon start(Options o) throws IOException {
        if (o.backend() == Backend.DPDK) {
            throw new IllegalArgumentException("the DPDK backend is not built yet; use --backend socket");
        }
        ControlSocketFile.prepare(o.control()); // before the TUN device: never two daemons on one
        AeadEngine crypto = AeadEngines.select(o.crypto());
        int[] cpus = o.cpus();
        SocketBackend backend = SocketBackend.open(o.tun(), o.listen(), o.workers(), PacketBatch.DEFAULT_BURST, o.offload());
        Engine engine = null;
        ControlServer server = null;
        try {
            engine = new Engine(new Engine.Config(o.mode(), o.workers(), PacketBatch.DEFAULT_BURST,
                    Engine.Config.defaults(o.mode(), o.workers()).slotSize(), o.replayWindow()), crypto);
            for (int w = 0; w < o.workers(); w++) {
                engine.addWorker(backend.wirePort(w), backend.tunnelPort(w));
            }
            engine.start(backend::waiter, w -> cpus != null ? SocketBackend.pinner(w, cpus) : () -> { });
            server = ControlServer.open(o.control(),
                    new Handlers(engine, SocketHandOver.forBackend(backend), version()));
            Daemon d = new Daemon(o, backend, engine, server);
            LOG.info(() -> "ready: tun " + backend.tunName() + ", udp " + text(o.listen()) + ", "
                    + o.mode().name().toLowerCase(Locale.ROOT) + " mode, " + o.workers() + " worker"
                    + (o.workers() == 1 ? "" : "s") + (cpus == null ? " (not pinned)" : " on cpus " + describe(cpus, o.workers()))
                    + ", control " + o.control());
            return d;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (engine != null) {
                engine.close();
            }
            backend.close();
            throw e;
        }
    }

    public Path controlPath() {
        return server.path();
    }

    public String tunName() {
        return backend.tunName();
    }

    public Options options() {
        return options;
    }

    /** The control thread's loop, on the calling thread, until {@link #stop}; then {@link #close}. */
    public void run() {
        try {
            loop.run();
        } finally {
            close();
        }
    }

    /** Asks the daemon to shut down; any thread (a signal handler, a test). */
    public void stop() {
        loop.stop();
    }

    /** Waits until {@link #close} has finished; false on timeout or interrupt. */
    public boolean awaitClosed(Duration timeout) {
        try {
            return closedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops the workers, removes every peer (TEARDOWN, to subscribers before their connections
     * close), zeroes the keys, then removes the control socket and the TUN device. Call on the
     * control thread, after {@link #run} returned or instead of it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down");
        try {
            engine.close();
        } finally {
            try {
                server.close();
            } finally {
                backend.close();
                closedLatch.countDown();
                LOG.info("stopped");
            }
        }
    }

    /** The release in the jar's Maven descriptor; "development build" when run from classes. */
    static String version() {
        try (InputStream in = Daemon.class.getResourceAsStream(
                "/META-INF/maven/dev.ovpndpdk/ovpn-dpdk-control/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (IOException e) {
            // a version is decoration: never a reason to fail
        }
        return "development build";
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String describe(int[] cpus, int workers) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < workers; w++) {
            sb.append(w == 0 ? "" : ",").append(cpus[w % cpus.length]);
        }
        return sb.toString();
    }
}

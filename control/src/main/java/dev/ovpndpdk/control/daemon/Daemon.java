package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Idle;
import dev.ovpndpdk.dataplane.engine.Offload;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.PortBackend;
import dev.ovpndpdk.dataplane.port.dpdk.DpdkBackend;
import dev.ovpndpdk.dataplane.port.socket.SocketBackend;
import dev.ovpndpdk.dataplane.port.socket.TunOffload;
import dev.ovpndpdk.qat.AsyncEngines;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
     * @param dpdk         the DPDK backend's settings; null when none were given
     * @param offload      the socket backend's TUN/UDP offloads; null for on
     * @param cryptoDepth  packets in flight per worker on an asynchronous crypto engine (a power of two)
     * @param cryptoMinSize packets shorter than this stay in software with an asynchronous engine
     * @param idle         what idle workers do (docs/dpdk-backend.md, "Idle strategy")
     */
    public record Options(String tun, InetSocketAddress listen, Mode mode, int workers, Backend backend,
                         String crypto, Path control, int[] cpus, int replayWindow, DpdkOptions dpdk,
                         TunOffload offload, int cryptoDepth, int cryptoMinSize, Idle idle) {

        /** With the default idle strategy. */
        public Options(String tun, InetSocketAddress listen, Mode mode, int workers, Backend backend,
                       String crypto, Path control, int[] cpus, int replayWindow, DpdkOptions dpdk,
                       TunOffload offload, int cryptoDepth, int cryptoMinSize) {
            this(tun, listen, mode, workers, backend, crypto, control, cpus, replayWindow, dpdk, offload,
                    cryptoDepth, cryptoMinSize, Idle.DEFAULT);
        }

        /** With the asynchronous engine's defaults. */
        public Options(String tun, InetSocketAddress listen, Mode mode, int workers, Backend backend,
                       String crypto, Path control, int[] cpus, int replayWindow, DpdkOptions dpdk,
                       TunOffload offload) {
            this(tun, listen, mode, workers, backend, crypto, control, cpus, replayWindow, dpdk, offload,
                    Offload.DEFAULT_DEPTH, Offload.DEFAULT_MIN_SIZE);
        }
    }

    /**
     * The DPDK backend's settings (see {@link DpdkBackend.Config}).
     *
     * @param eal           EAL arguments
     * @param wirePort      PCI address or vdev arguments of the wire port; null for the first port
     * @param exceptionName the exception interface's name; null for {@code <tun>-x}
     * @param wireAddresses CIDR prefixes the exception interface carries
     * @param tunMtu        0 for the wire MTU less the tunnel overhead
     * @param mbufs         0 for a pool sized to the workers
     */
    public record DpdkOptions(List<String> eal, String wirePort, String exceptionName, List<String> wireAddresses,
                              int tunMtu, int mbufs) {
        /** True when the operator said anything about DPDK: then {@code --backend auto} tries it. */
        boolean given() {
            return !eal.isEmpty() || wirePort != null;
        }
    }

    private final Options options;
    private final PortBackend backend;
    private final Engine engine;
    /** The asynchronous crypto engine, or null. */
    private final AsyncAeadEngine offload;
    private final ControlServer server;
    private final ControlLoop loop;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private boolean closed;

    private Daemon(Options options, PortBackend backend, Engine engine, AsyncAeadEngine offload, ControlServer server) {
        this.options = options;
        this.backend = backend;
        this.engine = engine;
        this.offload = offload;
        this.server = server;
        this.loop = new ControlLoop(engine, server);
    }

    /** Brings the daemon up; logs "ready" when clients can use it. */
    public static Daemon start(Options o) throws IOException {
        ControlSocketFile.prepare(o.control()); // before the TUN device: never two daemons on one
        AsyncEngines.Choice choice = AsyncEngines.Choice.parse(o.crypto());
        Offload.check(o.cryptoDepth(), o.cryptoMinSize()); // before anything is opened
        AeadEngine crypto = AeadEngines.select(choice.software());
        int[] cpus = o.cpus();
        PortBackend backend = openBackend(o);
        AsyncAeadEngine offload = null;
        Engine engine = null;
        ControlServer server = null;
        try {
            // After the backend: a DPDK backend's EAL is up then, with its QAT devices in sight.
            offload = AsyncEngines.open(choice, o.workers(), backend instanceof DpdkBackend);
            if (offload != null) {
                String d = offload.describe();
                LOG.info(() -> "crypto offload: " + d + ", " + o.cryptoDepth() + " packets in flight per worker, "
                        + "software below " + o.cryptoMinSize() + " bytes");
            }
            engine = new Engine(new Engine.Config(o.mode(), o.workers(), PacketBatch.DEFAULT_BURST,
                    Engine.Config.defaults(o.mode(), o.workers()).slotSize(), o.replayWindow()), crypto,
                    offload == null ? null : new Offload(offload, o.cryptoDepth(), o.cryptoMinSize()));
            for (int w = 0; w < o.workers(); w++) {
                engine.addWorker(backend.wirePort(w), backend.tunnelPort(w));
            }
            engine.start(o.idle(), w -> backend.waiter(w, o.idle()), w -> backend.threadSetUp(w, cpus));
            TunnelIdentity identity = new TunnelIdentity(backend.tunName(),
                    backend instanceof SocketBackend ? "socket" : "dpdk", o.listen(), backend.tunnelMtu());
            Engine e = engine;
            server = ControlServer.open(o.control(), new Handlers(engine, new SocketHandOver(steeringFor(backend, o.listen())),
                    identity, version(), () -> {
                        Map<String, Long> m = new LinkedHashMap<>(backend.counters());
                        m.putAll(e.offloadCounters());
                        return m;
                    }));
            Daemon d = new Daemon(o, backend, engine, offload, server);
            LOG.info(() -> "ready: " + backend.describe() + ", "
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
            if (offload != null) {
                offload.close();
            }
            backend.close();
            throw e;
        }
    }

    /**
     * The backend the options ask for. {@code auto} takes DPDK when its libraries are here and
     * DPDK settings were given ({@code --eal} or {@code --wire-port}), else the socket backend.
     */
    private static PortBackend openBackend(Options o) throws IOException {
        Backend b = o.backend();
        if (b == Backend.AUTO) {
            String missing = DpdkBackend.unavailableReason();
            boolean given = o.dpdk() != null && o.dpdk().given();
            b = missing == null && given ? Backend.DPDK : Backend.SOCKET;
            String why = b == Backend.DPDK ? "DPDK settings given" : missing != null ? missing : "no --eal or --wire-port given";
            LOG.info("backend: " + b.name().toLowerCase(Locale.ROOT) + " (auto: " + why + ")");
        }
        if (b == Backend.DPDK) {
            DpdkOptions d = o.dpdk() != null ? o.dpdk() : new DpdkOptions(List.of(), null, null, List.of(), 0, 0);
            return DpdkBackend.open(new DpdkBackend.Config(o.tun(), o.listen(), o.workers(), PacketBatch.DEFAULT_BURST,
                    d.eal(), d.wirePort(), d.exceptionName(), d.wireAddresses(), d.tunMtu(), d.mbufs(),
                    o.idle() == Idle.INTERRUPT));
        }
        return SocketBackend.open(o.tun(), o.listen(), o.workers(), PacketBatch.DEFAULT_BURST,
                o.offload() != null ? o.offload() : TunOffload.ON);
    }

    private static SocketHandOver.Steering steeringFor(PortBackend backend, InetSocketAddress listen) {
        return backend instanceof SocketBackend s ? SocketHandOver.forBackend(s) : SocketHandOver.onExceptionPath(listen);
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
            engine.close(); // workers stopped, their in-flight crypto drained, keys zeroed
        } finally {
            try {
                if (offload != null) {
                    offload.close(); // before the backend: a DPDK backend's EAL goes with it
                }
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

    private static String describe(int[] cpus, int workers) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < workers; w++) {
            sb.append(w == 0 ? "" : ",").append(cpus[w % cpus.length]);
        }
        return sb.toString();
    }
}

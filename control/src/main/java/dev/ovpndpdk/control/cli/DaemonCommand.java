package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.LogFormat;
import dev.ovpndpdk.control.client.ControlPaths;
import dev.ovpndpdk.control.daemon.Daemon;
import dev.ovpndpdk.dataplane.engine.Idle;
import dev.ovpndpdk.dataplane.engine.Offload;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.port.socket.TunOffload;
import dev.ovpndpdk.dataplane.proto.ReplayWindow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ovpn-dpdk daemon}: runs the data plane for one tunnel interface until SIGTERM or
 * SIGINT, on the calling thread as the control thread. See docs/daemon.md.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the data plane for one tunnel interface until SIGTERM/SIGINT.",
                "Creates the TUN device (addresses and routes are yours: ip addr, ip route), listens on the "
                        + "UDP address and takes peers and keys on the control socket."})
public final class DaemonCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(DaemonCommand.class.getName());
    /** How long the JVM's shutdown waits for a clean one before it exits anyway. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    @Option(names = "--tun", required = true, paramLabel = "NAME", description = "Tunnel interface to create, e.g. ovpn0.")
    String tun;

    @Option(names = "--listen", required = true, paramLabel = "ADDR:PORT", converter = HostPort.class,
            description = "UDP address for the peers, e.g. 10.0.0.1:1194 or [::]:1194.")
    InetSocketAddress listen;

    @Option(names = "--mode", defaultValue = "p2p", paramLabel = "p2p|mp",
            description = "p2p: one peer gets everything; mp: route by VPN address and iroutes (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads (default: one per available CPU).")
    Integer workers;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "socket|dpdk|auto",
            description = "Port backend: socket (UDP socket + TUN, no DPDK needed), dpdk (EAL, the wire ethdev, "
                    + "net_tun, a net_tap exception interface) or auto: dpdk when DPDK is installed and --eal or "
                    + "--wire-port is given, else socket (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--eal", paramLabel = "\"ARGS\"",
            description = "dpdk: EAL arguments, one string, e.g. \"-l 1 -a 0000:01:00.0\" on metal or "
                    + "\"--no-huge -m 512 --no-pci --file-prefix=t1\" in a namespace. The daemon adds the "
                    + "net_tun and net_tap vdevs (and the wire vdev of --wire-port).")
    String eal;

    @Option(names = "--wire-port", paramLabel = "DEVARGS",
            description = "dpdk: the wire port, a PCI address bound to vfio-pci (see scripts/bind-nic.sh) or vdev "
                    + "arguments such as net_af_packet0,iface=eth1 (default: the first ethdev EAL finds).")
    String wirePort;

    @Option(names = "--wire-address", paramLabel = "CIDR",
            description = "dpdk: a prefix for the exception interface, e.g. 10.0.0.1/24 (repeat for more); it "
                    + "should hold the --listen address (default: the --listen address alone).")
    List<String> wireAddresses = new ArrayList<>();

    @Option(names = "--exception-iface", paramLabel = "NAME",
            description = "dpdk: kernel name of the exception interface (default: <tun>-x).")
    String exceptionIface;

    @Option(names = "--tun-mtu", paramLabel = "N",
            description = "dpdk: MTU of the tunnel interface (default: the wire MTU less the tunnel overhead, "
                    + "52 bytes over IPv4, 72 over IPv6, so no outer packet needs fragmenting).")
    int tunMtu;

    @Option(names = "--mbufs", paramLabel = "N", description = "dpdk: mbufs in the packet pool (default: sized to the workers' rings).")
    int mbufs;

    @Option(names = "--crypto", defaultValue = "auto", paramLabel = "auto|aesni|jdk|cryptodev[:DEVARGS]|qat",
            description = "AEAD engine. Software: aesni (intel-ipsec-mb) or jdk. Offload: qat (qatlib, else a QAT "
                    + "device of the DPDK backend's EAL), cryptodev:DEVARGS (a DPDK crypto device by name, or vdev "
                    + "arguments such as crypto_aesni_gcm0 or crypto_scheduler,...; bare: the first device, else "
                    + "crypto_aesni_mb0). auto: QAT where there is one, else intel-ipsec-mb, else the JDK "
                    + "(default: ${DEFAULT-VALUE}). docs/crypto-offload.md")
    String crypto;

    @Option(names = "--crypto-depth", paramLabel = "N",
            description = "With an offload: packets in flight per worker, a power of two (default: ${DEFAULT-VALUE}).")
    int cryptoDepth = Offload.DEFAULT_DEPTH;

    @Option(names = "--crypto-min-size", paramLabel = "BYTES",
            description = "With an offload: packets shorter than this are sealed/opened in software, in their place "
                    + "(default: ${DEFAULT-VALUE}).")
    int cryptoMinSize = Offload.DEFAULT_MIN_SIZE;

    @Option(names = "--control", paramLabel = "PATH",
            description = "Control socket to create (default: /run/ovpn-dpdk/<tun>.sock).")
    Path control;

    @Option(names = "--cpus", paramLabel = "LIST", converter = CpuListConverter.class,
            description = "Pin the workers to these CPUs, e.g. 2-5,8; worker w on the w-th; "
                    + "'none' leaves them unpinned (default: worker w on CPU w, one per core, "
                    + "when there are no more workers than CPUs).")
    CpuList cpus;

    @Option(names = "--idle", paramLabel = "spin|backoff|interrupt",
            description = "What a worker with nothing to do does: spin (a whole core per worker, for isolated "
                    + "cores), backoff (spin, yield, then sleep: poll(2) on the socket backend, a 200 us park on "
                    + "DPDK) or interrupt (as backoff, but DPDK workers sleep on their queues' RX interrupts where "
                    + "the drivers have them; the socket backend's poll already is that) (default: interrupt). "
                    + "docs/dpdk-backend.md")
    String idle = Idle.DEFAULT.option();

    @Option(names = "--replay-window", paramLabel = "N",
            description = "Replay window in packets (default: ${DEFAULT-VALUE}, as Linux; OpenVPN's is 64).")
    int replayWindow = ReplayWindow.DEFAULT_SIZE;

    @Option(names = "--offload", defaultValue = "${sys:ovpndpdk.offload:-on}", paramLabel = "on|segment|off",
            description = "TUN checksum/segmentation offloads: 'on' reads TCP/UDP super-packets and segments them, and "
                    + "coalesces TCP segments on write; 'segment' only the former; 'off' is one plain packet per "
                    + "read/write (default: ${DEFAULT-VALUE}; system property ovpndpdk.offload).")
    String offload;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // A daemon's log is read against other programs' (OpenVPN's, a test's): time every line,
        // unless systemd's journal, which times them itself, takes it.
        LogFormat.setTimestamps(System.getenv("JOURNAL_STREAM") == null);
        int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw new IllegalArgumentException("--workers must be at least 1");
        }
        Daemon.Backend b = Daemon.Backend.parse(backend);
        Idle idleStrategy = Idle.parse(idle);
        int[] pin = cpus != null ? cpus.cpus() : defaultCpus(n);
        List<String> ealArgs = eal == null || eal.isBlank() ? List.of() : List.of(eal.trim().split("\\s+"));
        Daemon.DpdkOptions dpdk = new Daemon.DpdkOptions(ealArgs, wirePort, exceptionIface, List.copyOf(wireAddresses),
                tunMtu, mbufs);
        Daemon daemon = Daemon.start(new Daemon.Options(tun, listen, Mode.parse(mode), n, b, crypto,
                controlPath(), pin != null && pin.length == 0 ? null : pin, replayWindow, dpdk, TunOffload.parse(offload),
                cryptoDepth, cryptoMinSize, idleStrategy));
        TerminationSignals.onTerminate(daemon::stop);
        // Whatever else ends the JVM (SIGHUP, or the signals above where they could not be
        // taken over) still gets the clean shutdown: stop the loop and wait for it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!daemon.awaitClosed(Duration.ZERO)) {
                daemon.stop();
                daemon.awaitClosed(SHUTDOWN_GRACE);
            }
        }, "ovpn-dpdk-shutdown"));
        daemon.run();
        return 0;
    }

    /** Ours, else the top command's {@code --control}, else the default for the tunnel. */
    private Path controlPath() {
        if (control != null) {
            return control;
        }
        for (CommandSpec s = spec.parent(); s != null; s = s.parent()) {
            OptionSpec o = s.findOption("--control");
            if (o != null && o.getValue() != null) {
                return o.getValue();
            }
        }
        return ControlPaths.forTunnel(tun);
    }

    /**
     * One worker per core (ARCHITECTURE.md): worker w on the w-th CPU this process may run on
     * (its affinity mask, so a cpuset or taskset is respected); unpinned when there are more
     * workers than CPUs.
     */
    static int[] defaultCpus(int workers) {
        java.util.BitSet allowed;
        try {
            allowed = dev.ovpndpdk.bindings.libc.Affinity.currentThread();
        } catch (IOException e) {
            LOG.warning("cannot read the CPU affinity (" + e.getMessage() + "): workers not pinned");
            return null;
        }
        if (workers > allowed.cardinality()) {
            return null;
        }
        return allowed.stream().limit(workers).toArray();
    }

    /** {@code 2-5,8} → [2, 3, 4, 5, 8]; {@code none} → []; a type of its own so picocli takes it as one value. */
    record CpuList(int[] cpus) {
    }

    static final class CpuListConverter implements ITypeConverter<CpuList> {
        @Override
        public CpuList convert(String s) {
            List<Integer> cpus = new ArrayList<>();
            if (s.trim().equals("none")) {
                return new CpuList(new int[0]);
            }
            for (String part : s.split(",")) {
                String p = part.trim();
                try {
                    int dash = p.indexOf('-');
                    int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                    int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
                    if (from < 0 || to < from) {
                        throw new NumberFormatException();
                    }
                    for (int c = from; c <= to; c++) {
                        cpus.add(c);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a CPU list like 2-5,8");
                }
            }
            return new CpuList(cpus.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}

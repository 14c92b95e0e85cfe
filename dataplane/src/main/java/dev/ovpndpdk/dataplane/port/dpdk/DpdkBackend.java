package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.dpdk.DpdkException;
import dev.ovpndpdk.bindings.dpdk.RteEal;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteEthDevInfo;
import dev.ovpndpdk.bindings.dpdk.RteEthStats;
import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteEtherAddr;
import dev.ovpndpdk.bindings.dpdk.RteLcore;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMempool;
import dev.ovpndpdk.bindings.libc.TunSteering;
import dev.ovpndpdk.dataplane.engine.Idle;
import dev.ovpndpdk.dataplane.engine.Waiter;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PortBackend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The DPDK backend (ARCHITECTURE.md, port backends): EAL in this process, the wire ethdev
 * (a NIC on vfio-pci, or a vdev such as {@code net_af_packet} in tests), DPDK's
 * {@code net_tun} as the tunnel interface the host routes into, and a {@code net_tap}
 * exception interface that carries the wire port's MAC and addresses, so that the kernel —
 * and the OpenVPN process's UDP socket on it — still sees everything the fast path does not
 * take. One RX/TX queue pair per worker on all three; worker threads are registered with EAL
 * so the mempool's per-lcore caches work.
 *
 * <p>EAL can be initialised once per process: one DPDK backend per daemon.
 */
public final class DpdkBackend implements PortBackend {
    private static final Logger LOG = Logger.getLogger(DpdkBackend.class.getName());
    static final String TUN_VDEV = "net_tun_ovd";
    static final String TAP_VDEV = "net_tap_ovdx";
    static final int RING_SIZE = 1024;
    /**
     * What DPDK 22.11's {@code net_af_xdp} puts in the kernel's fill ring per queue at setup
     * ({@code ETH_AF_XDP_DFLT_NUM_DESCS}, whatever the RX ring size asked for) and keeps there,
     * replacing each received mbuf with a new one. Its close does not give them back.
     */
    static final int AF_XDP_FILL_MBUFS = 2048;
    private static final int POOL_CACHE = 256;
    /** Longest idle sleep: busy-polled queues have nothing to wait on, so wake often. */
    private static final long IDLE_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Outer IPv4/IPv6 + UDP + the 24-byte data-channel header. */
    private static final int OVERHEAD_V4 = 20 + 8 + 24;
    private static final int OVERHEAD_V6 = 40 + 8 + 24;

    /**
     * @param tun           name of the host's tunnel interface ({@code net_tun})
     * @param listen        our address and UDP port on the wire (a concrete address)
     * @param ealArgs       EAL arguments from the operator (cores, devices, memory, file prefix)
     * @param wirePort      the wire device: a PCI address or vdev arguments; null for the first port
     * @param exceptionName kernel name of the exception interface; null for {@code <tun>-x}
     * @param wireAddresses CIDR prefixes for the exception interface; empty for the listen address alone
     * @param tunMtu        MTU of the tunnel interface; 0 for the wire's MTU less the tunnel overhead
     * @param mbufs         mbufs in the pool; 0 for a size fitting the workers' rings
     * @param rxInterrupts  the ports are configured with RX interrupts ({@code --idle interrupt})
     */
    public record Config(String tun, InetSocketAddress listen, int workers, int burst, List<String> ealArgs,
                         String wirePort, String exceptionName, List<String> wireAddresses, int tunMtu, int mbufs,
                         boolean rxInterrupts) {
        /** Without RX interrupts: the workers poll. */
        public Config(String tun, InetSocketAddress listen, int workers, int burst, List<String> ealArgs,
                      String wirePort, String exceptionName, List<String> wireAddresses, int tunMtu, int mbufs) {
            this(tun, listen, workers, burst, ealArgs, wirePort, exceptionName, wireAddresses, tunMtu, mbufs, false);
        }
    }

    private final Config config;
    /** The wire port's driver name, e.g. net_af_packet (for the close log: ports closed have none). */
    private final String wireDriver;
    private final Arena arena = Arena.ofShared();
    private final int wire;
    private final int tun;
    private final int tap;
    private final long pool;
    private final String exceptionName;
    private final WireAddress me;
    /** The tunnel interface's MTU: the wire's less the outer headers, unless configured. */
    private final int tunMtu;
    private final Neighbours neighbours = new Neighbours();
    private final DpdkPortStats stats;
    private final List<DpdkWirePort> wirePorts = new ArrayList<>();
    private final List<DpdkTunnelPort> tunnelPorts = new ArrayList<>();
    private final RxInterrupts rxInterrupts;
    /** Whether {@link #close} cleans up EAL: {@link #open} initialised it, {@link #overPorts} did not. */
    private final boolean ownsEal;
    private boolean portsClosed;
    private boolean closed;

    /**
     * Tests: over ports the test set up and started (rte_rings), in the test's EAL, which
     * {@link #close} leaves alone.
     *
     * @param udpChecksumByPort the wire port is told it computes UDP checksums (as if it could)
     */
    DpdkBackend(Config c, int wire, int tun, int tap, long pool, String exceptionName, WireAddress me,
                boolean udpChecksumByPort) {
        this(c, wire, tun, tap, pool, exceptionName, me, 0, false, udpChecksumByPort);
    }

    private DpdkBackend(Config c, int wire, int tun, int tap, long pool, String exceptionName, WireAddress me,
                        int tunMtu, boolean ownsEal, boolean udpChecksumByPort) {
        this.config = c;
        this.wireDriver = driver(wire);
        this.ownsEal = ownsEal;
        this.wire = wire;
        this.tun = tun;
        this.tap = tap;
        this.pool = pool;
        this.exceptionName = exceptionName;
        this.me = me;
        this.tunMtu = tunMtu;
        this.stats = new DpdkPortStats(c.workers());
        this.rxInterrupts = new RxInterrupts(c.workers());
        int maxPacket = RteMbuf.RTE_MBUF_DEFAULT_DATAROOM;
        for (int w = 0; w < c.workers(); w++) {
            wirePorts.add(new DpdkWirePort(arena, wire, tap, w, pool, me, neighbours, c.burst(), maxPacket, stats,
                    new MbufDiscards(arena, 2 * c.burst()), udpChecksumByPort));
            tunnelPorts.add(new DpdkTunnelPort(arena, tun, w, pool, c.burst(), stats));
        }
    }

    @Override
    public int tunnelMtu() {
        return tunMtu;
    }

    /** Why the DPDK backend cannot run here (one line), or null when it can. */
    public static String unavailableReason() {
        return Dpdk.unavailableReason();
    }

    /**
     * Initialises EAL, sets the three ports up and starts them.
     *
     * @throws IllegalArgumentException for a configuration that cannot work, with what to change
     * @throws IOException              when DPDK refuses (EAL, a port, the pool), with DPDK's reason
     */
    public static DpdkBackend open(Config c) throws IOException {
        String missing = Dpdk.unavailableReason();
        if (missing != null) {
            throw new IllegalArgumentException("--backend dpdk: " + missing);
        }
        if (c.listen().getAddress() == null || c.listen().getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("--backend dpdk needs our wire address in --listen (e.g. 10.0.0.1:1194),"
                    + " not a wildcard: the fast path writes its IP headers and the kernel does not see the port");
        }
        String exc = c.exceptionName() != null ? c.exceptionName() : exceptionNameFor(c.tun());
        List<String> args = ealArguments(c, exc);
        LOG.info(() -> "EAL: " + String.join(" ", args));
        int ealErrno = initEal(args);
        if (ealErrno != 0) {
            throw new IOException("rte_eal_init: " + RteErrno.rte_strerror(ealErrno) + " (rte_errno " + ealErrno + "); EAL arguments: "
                    + String.join(" ", args));
        }
        boolean ok = false;
        try {
            int tun = portByName(TUN_VDEV);
            int tap = portByName(TAP_VDEV);
            int wire = wirePort(c.wirePort(), tun, tap);
            DpdkBackend b = start(c, wire, tun, tap, exc);
            ok = true;
            return b;
        } catch (DpdkException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            if (!ok) {
                RteEal.rte_eal_cleanup();
            }
        }
    }

    /**
     * A backend over ethdevs the caller has already created in this process's EAL — for
     * benchmarks and tests that put the real ports on {@code net_ring} / {@code net_null}
     * vdevs instead of a NIC, {@code net_tun} and {@code net_tap}. The ports are configured,
     * started and served exactly as {@link #open} does it (one queue pair per worker, the same
     * pool, the wire MAC from the wire ethdev), minus the kernel side: no MTU is set on the
     * tunnel ethdev and no exception interface is configured. {@link #close} stops and closes
     * the three ethdevs and frees the pool but leaves EAL to the caller.
     *
     * @param wire   ethdev port id of the wire side
     * @param tun    ethdev port id of the tunnel side
     * @param tap    ethdev port id of the exception path
     * @throws IOException when DPDK refuses (a port, the pool), with DPDK's reason
     */
    public static DpdkBackend overPorts(Config c, int wire, int tun, int tap) throws IOException {
        String missing = Dpdk.unavailableReason();
        if (missing != null) {
            throw new IllegalArgumentException("dpdk backend: " + missing);
        }
        try {
            return start(c, wire, tun, tap, null);
        } catch (DpdkException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * After EAL init: the pool, the three ports set up and started, and — when
     * {@code exceptionName} is not null — the tunnel MTU and the kernel's exception interface.
     */
    private static DpdkBackend start(Config c, int wire, int tun, int tap, String exc) throws IOException {
        int socket = Math.max(RteEthdev.rte_eth_dev_socket_id(wire), 0);
        String wireDriver = driver(wire);
        // Every ring full, every burst lent, and the per-lcore caches: the pool cannot run dry.
        int wireRx = wireDriver.equals("net_af_xdp") ? AF_XDP_FILL_MBUFS : RING_SIZE;
        int needed = c.workers() * (5 * RING_SIZE + wireRx + 8 * c.burst()) + 1023;
        int n = c.mbufs() > 0 ? c.mbufs() : Math.max(8191, needed);
        if (n < needed) {
            // Counted, not fatal (docs/dpdk-backend.md, "Drops and counters"), but DPDK 22.11's
            // tap driver (tunnel and exception interface) stops reading a queue after it found
            // no mbuf until its next SIGIO — with the kernel's queue full, until other traffic
            // on one of them.
            LOG.warning("--mbufs " + n + " is fewer than the rings and bursts of " + c.workers() + " worker(s) can hold ("
                    + needed + "): under load the drivers run out of mbufs (dpdk_*_rx_nombuf in stats), and the"
                    + " tunnel interface may stall until the next packet on the exception interface");
        }
        long pool = RteMbuf.rte_pktmbuf_pool_create("ovd_pool", n, POOL_CACHE, 0, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE, socket);
        if (pool == 0) {
            int e = RteErrno.rte_errno();
            throw new IOException("rte_pktmbuf_pool_create(" + n + " mbufs): " + RteErrno.rte_strerror(e)
                    + " — give EAL more memory (-m, or hugepages) or use --mbufs");
        }
        try (Arena a = Arena.ofConfined()) {
            EthPortSetUp.Offloads cksum = EthPortSetUp.setUp(a, wire, c, pool, socket, true, "wire port");
            EthPortSetUp.setUp(a, tun, c, pool, socket, false, "tunnel port");
            EthPortSetUp.setUp(a, tap, c, pool, socket, false, "exception port");
            MemorySegment mac = RteEtherAddr.allocate(a);
            RteErrno.checkReturn(RteEthdev.rte_eth_macaddr_get(wire, mac), "rte_eth_macaddr_get");
            long wireMac = toLong(RteEtherAddr.addr_bytes(mac));
            Remote r = Remote.of(c.listen());
            WireAddress me = new WireAddress(wireMac, r.ipv6(), r.hi(), r.lo(), r.port());
            int wireMtu = Math.max(RteEthdev.rte_eth_dev_get_mtu(wire), 576);
            int tunMtu = c.tunMtu() > 0 ? c.tunMtu() : wireMtu - (me.ipv6() ? OVERHEAD_V6 : OVERHEAD_V4);
            String steering = exc == null ? "" : ", " + PortBackend.steerByDestination(c.tun(), c.workers(),
                    () -> TunSteering.attachTo(c.tun()));
            if (exc != null) { // the kernel side: open() made these interfaces, overPorts() has none
                RteErrno.checkReturn(RteEthdev.rte_eth_dev_set_mtu(tun, tunMtu), "rte_eth_dev_set_mtu(tunnel, " + tunMtu + ")");
                configureException(exc, wireMac, wireMtu, c);
            }
            DpdkBackend b = new DpdkBackend(c, wire, tun, tap, pool, exc, me, exc != null ? tunMtu : 0, exc != null,
                    cksum.udpOnTransmit());
            LOG.info(() -> "dpdk: wire port " + wire + " (" + wireDriver + ", " + WireAddress.macText(wireMac)
                    + ", mtu " + wireMtu + ", checksums " + cksum.describe() + "), tunnel " + (exc != null ? c.tun() + " (mtu " + tunMtu + steering + ")" : "port " + tun)
                    + ", exception " + (exc != null ? "interface " + exc : "port " + tap) + ", " + n + " mbufs");
            return b;
        }
    }

    /**
     * Runs {@code rte_eal_init} on a thread of its own: EAL pins the calling thread to the main
     * lcore's CPU, and every thread that thread starts later inherits the mask — the control
     * thread would otherwise confine unpinned workers to one CPU. Also what tests and benchmarks
     * that bring EAL up themselves call.
     *
     * @return 0, or the {@code rte_errno} of the failure
     */
    public static int initEal(List<String> args) throws IOException {
        int[] result = {0};
        Thread t = new Thread(() -> {
            if (RteEal.rte_eal_init(args.toArray(String[]::new)) < 0) {
                result[0] = Math.max(RteErrno.rte_errno(), 1);
            }
        }, "eal-init");
        t.start();
        try {
            t.join();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during rte_eal_init");
        }
        return result[0];
    }

    static String exceptionNameFor(String tun) {
        String n = tun + "-x";
        return n.length() <= 15 ? n : n.substring(0, 13) + "-x";
    }

    /** The operator's EAL arguments plus the devices this backend needs. */
    static List<String> ealArguments(Config c, String exceptionName) {
        List<String> args = new ArrayList<>(c.ealArgs());
        args.add("--vdev=" + TUN_VDEV + ",iface=" + c.tun());
        args.add("--vdev=" + TAP_VDEV + ",iface=" + exceptionName);
        String w = c.wirePort();
        if (w != null && w.startsWith("net_")) {
            String dev = w;
            if (w.startsWith("net_af_packet") && !w.contains("qpairs=") && c.workers() > 1) {
                dev += ",qpairs=" + c.workers(); // one kernel fanout queue per worker
            }
            if (w.startsWith("net_af_xdp") && !w.contains("queue_count=") && c.workers() > 1) {
                // one AF_XDP socket per worker, on the interface's queues from start_queue (0) on;
                // 22.11 wants that many combined channels (ethtool -L IFACE combined N): a veth
                // has none and so one queue only
                dev += ",queue_count=" + c.workers();
            }
            args.add("--vdev=" + dev);
        } else if (w != null && !c.ealArgs().contains(w)) {
            args.add("-a");
            args.add(w);
        }
        if (args.stream().noneMatch(s -> s.startsWith("--log-level"))) {
            args.add("--log-level=*:warning");
        }
        if (!args.contains("--no-telemetry") && !args.contains("--telemetry")) {
            args.add("--no-telemetry"); // no socket and no banner unless asked for
        }
        return args;
    }

    private static int portByName(String name) {
        int p = RteEthdev.rte_eth_dev_get_port_by_name(name);
        if (p < 0) {
            throw new DpdkException("no ethdev named " + name + " after EAL init (is the driver installed? Debian: librte-net-*)", -p);
        }
        return p;
    }

    private static int wirePort(String devargs, int tun, int tap) {
        if (devargs != null) {
            String name = devargs.contains(",") ? devargs.substring(0, devargs.indexOf(',')) : devargs;
            int p = RteEthdev.rte_eth_dev_get_port_by_name(name);
            if (p < 0 && name.matches("[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]")) {
                p = RteEthdev.rte_eth_dev_get_port_by_name("0000:" + name);
            }
            if (p < 0 && devargs.startsWith("net_")) {
                throw new DpdkException("--wire-port " + devargs + ": its driver did not create the port (DPDK's"
                        + " log lines above say why; Debian packages the drivers as librte-net-*)", -p);
            }
            if (p < 0) {
                throw new DpdkException("--wire-port " + devargs + ": no such ethdev (a PCI device bound to vfio-pci,"
                        + " see scripts/bind-nic.sh, or a vdev such as net_af_packet0,iface=eth1)", -p);
            }
            return p;
        }
        for (int p = 0; p < RteEthdev.RTE_MAX_ETHPORTS; p++) {
            if (p != tun && p != tap && RteEthdev.rte_eth_dev_is_valid_port(p) != 0) {
                return p;
            }
        }
        throw new DpdkException("no wire port: EAL found no ethdev besides ours (bind a NIC with scripts/bind-nic.sh,"
                + " or give --wire-port net_af_packet0,iface=IFACE)", 19);
    }

    /** The exception interface gets the wire port's MAC, MTU and addresses, and comes up. */
    private static void configureException(String exc, long mac, int mtu, Config c) throws IOException {
        ip("link", "set", "dev", exc, "address", WireAddress.macText(mac), "mtu", Integer.toString(mtu));
        List<String> prefixes = new ArrayList<>(c.wireAddresses());
        if (prefixes.isEmpty()) {
            String a = c.listen().getAddress().getHostAddress();
            prefixes.add(a.contains(":") ? a + "/128" : a + "/32");
            LOG.warning(() -> "no --wire-address: " + exc + " gets " + prefixes.get(0)
                    + " alone; give the wire prefix (e.g. --wire-address 10.0.0.1/24) so the kernel reaches its neighbours");
        }
        for (String p : prefixes) {
            if (p.contains(":")) {
                ip("-6", "addr", "add", p, "dev", exc, "nodad");
            } else {
                ip("addr", "add", p, "dev", exc);
            }
        }
        ip("link", "set", "dev", exc, "up");
    }

    /** One iproute2 command (set-up only, never on the fast path). */
    private static void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    /**
     * What the close log says about mbufs still in use: nothing, a leak, or — on
     * {@code net_af_xdp} — the ones DPDK 22.11's driver never gives back: those in the kernel's
     * fill and RX rings ({@link #AF_XDP_FILL_MBUFS} a queue) and those the kernel completed
     * after the driver's last look at the completion ring (its last transmissions).
     */
    static String leftOver(int inUse, String wireDriver, int queues) {
        if (inUse == 0) {
            return "";
        }
        if (wireDriver.equals("net_af_xdp")) {
            int fill = Math.min(inUse, AF_XDP_FILL_MBUFS * queues);
            return " (net_af_xdp keeps them, DPDK 22.11 does not give them back at close: " + fill
                    + " in the kernel's fill and RX rings, " + (inUse - fill) + " sent after its last completion poll)";
        }
        return " (a leak)";
    }

    private static String driver(int port) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = RteEthDevInfo.allocate(a);
            return RteEthdev.rte_eth_dev_info_get(port, info) == 0 ? RteEthDevInfo.driver_name(info) : "?";
        }
    }

    private static long toLong(byte[] mac) {
        long v = 0;
        for (byte b : mac) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    @Override
    public String tunName() {
        return config.tun();
    }

    @Override
    public String describe() {
        return "dpdk backend: wire port " + wire + " (" + wireDriver + ", " + WireAddress.macText(me.mac()) + "), tun "
                + config.tun() + ", exception interface " + exceptionName + ", udp " + config.listen().getAddress().getHostAddress() + " port " + config.listen().getPort();
    }

    @Override
    public dev.ovpndpdk.dataplane.port.WirePort wirePort(int worker) {
        return wirePorts.get(worker);
    }

    @Override
    public dev.ovpndpdk.dataplane.port.TunnelPort tunnelPort(int worker) {
        return tunnelPorts.get(worker);
    }

    /** Busy-polled queues have no descriptor to sleep on: park briefly. */
    @Override
    public Waiter waiter(int w) {
        return Waiter.described("park up to " + IDLE_SLEEP_NANOS / 1000 + " µs",
                nanos -> LockSupport.parkNanos(Math.min(nanos, IDLE_SLEEP_NANOS)));
    }

    /**
     * {@link Idle#INTERRUPT} (on ports configured for it): sleep on the RX interrupts of the
     * worker's wire, tunnel and exception queues where their drivers have them.
     */
    @Override
    public Waiter waiter(int w, Idle idle) {
        if (idle != Idle.INTERRUPT || !config.rxInterrupts()) {
            return waiter(w);
        }
        return rxInterrupts.waiter(w, List.of(new RxInterrupts.Port("wire port", wireDriver, wire),
                new RxInterrupts.Port("tunnel port", driver(tun), tun),
                new RxInterrupts.Port("exception port", driver(tap), tap)), IDLE_SLEEP_NANOS);
    }

    /**
     * Runs first on worker {@code w}'s thread: pins it to {@code cpus[w % cpus.length]} (when
     * given) and registers it with EAL (an lcore id, so the mempool cache serves it).
     */
    @Override
    public Runnable threadSetUp(int w, int[] cpus) {
        return () -> {
            PortBackend.pin(w, cpus);
            if (RteLcore.rte_thread_register() != 0) {
                int e = RteErrno.rte_errno();
                LOG.warning("worker " + w + ": rte_thread_register: " + RteErrno.rte_strerror(e)
                        + " — runs without a mempool cache");
            }
        };
    }

    /**
     * The next-hop table the wire ports share: learned from received frames (our UDP port,
     * ARP, neighbour discovery); a test or benchmark without a peer on a link may seed it.
     */
    public Neighbours neighbours() {
        return neighbours;
    }

    /** Mbufs not in the pool right now (lent to workers, in rings, in flight). */
    public int mbufsInUse() {
        return RteMempool.rte_mempool_in_use_count(pool);
    }

    /**
     * The backend's own counters for GET_STATS (docs/dpdk-backend.md, "Drops and counters"):
     * the exception path, neighbour requests, the mbuf pool, and what each port's driver
     * counts that the engine cannot see ({@code rx_nombuf}: the driver found no mbuf to
     * receive into; {@code imissed}: its queue overflowed; {@code ierrors}, {@code oerrors}).
     * Read on the control thread; nothing once the ports are closed.
     */
    @Override
    public synchronized Map<String, Long> counters() {
        if (portsClosed) {
            return Map.of();
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("dpdk_exception_to_kernel_packets", stats.get(DpdkPortStats.Kind.TO_KERNEL));
        m.put("dpdk_exception_to_kernel_drops", stats.get(DpdkPortStats.Kind.TO_KERNEL_DROPPED));
        m.put("dpdk_exception_from_kernel_packets", stats.get(DpdkPortStats.Kind.FROM_KERNEL));
        m.put("dpdk_exception_from_kernel_drops", stats.get(DpdkPortStats.Kind.FROM_KERNEL_DROPPED));
        m.put("dpdk_neighbour_requests", stats.get(DpdkPortStats.Kind.SOLICITED));
        m.put("dpdk_neighbour_request_drops", stats.get(DpdkPortStats.Kind.SOLICIT_DROPPED));
        m.put("dpdk_own_frames_seen_again", stats.get(DpdkPortStats.Kind.OWN_ECHO));
        m.put("dpdk_multi_segment_drops", stats.get(DpdkPortStats.Kind.MULTI_SEGMENT));
        m.put("dpdk_checksum_bad", stats.get(DpdkPortStats.Kind.CHECKSUM_BAD));
        m.put("dpdk_mbufs_in_use", (long) mbufsInUse());
        m.put("dpdk_mbufs_free", (long) RteMempool.rte_mempool_avail_count(pool));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = RteEthStats.allocate(a);
            driverCounters(m, s, "wire", wire);
            driverCounters(m, s, "tunnel", tun);
            driverCounters(m, s, "exception", tap);
        }
        return m;
    }

    private static void driverCounters(Map<String, Long> m, MemorySegment s, String name, int port) {
        if (RteEthdev.rte_eth_stats_get(port, s) != 0) {
            return; // a driver without statistics: its fields are left out, not reported as 0
        }
        m.put("dpdk_" + name + "_rx_nombuf", RteEthStats.rx_nombuf(s));
        m.put("dpdk_" + name + "_imissed", RteEthStats.imissed(s));
        m.put("dpdk_" + name + "_ierrors", RteEthStats.ierrors(s));
        m.put("dpdk_" + name + "_oerrors", RteEthStats.oerrors(s));
    }

    /**
     * Stops and closes the three ports, after the workers stopped: the lent mbufs go back, the
     * drivers free their rings' mbufs, the kernel interfaces go.
     *
     * @return the mbufs still in use afterwards (0 unless something leaked)
     */
    synchronized int closePorts() {
        if (portsClosed) {
            return mbufsInUse();
        }
        portsClosed = true;
        rxInterrupts.close();
        wirePorts.forEach(DpdkWirePort::close);
        tunnelPorts.forEach(DpdkTunnelPort::close);
        for (int p : new int[] {wire, tun, tap}) {
            RteEthdev.rte_eth_dev_stop(p);
            RteEthdev.rte_eth_dev_close(p);
        }
        arena.close(); // the ports' burst vectors
        return mbufsInUse();
    }

    /** After the workers stopped: ports stopped and closed (the kernel interfaces go), pool freed, EAL cleaned up. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The drivers' RX rings hold mbufs while the ports run; once closed, everything must be back.
        int inUse = closePorts();
        LOG.info(() -> "dpdk: " + stats + "; mbufs in use after the ports closed: " + inUse
                + leftOver(inUse, wireDriver, config.workers()));
        RteMempool.rte_mempool_free(pool);
        if (ownsEal) {
            RteEal.rte_eal_cleanup();
        }
    }
}

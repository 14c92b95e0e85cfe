package dev.ovpndpdk.bench;

import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteEthRing;
import dev.ovpndpdk.bindings.dpdk.RteEthStats;
import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteEtherAddr;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.bindings.dpdk.RteRing;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Worker;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.port.WirePort;
import dev.ovpndpdk.dataplane.port.dpdk.DpdkBackend;
import dev.ovpndpdk.dataplane.port.offload.InetChecksum;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.Wire;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.dataplane.engine.Offload;
import dev.ovpndpdk.qat.cryptodev.CryptodevEngine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The DPDK data path per core: the real {@link Worker} ({@code engine.addWorker}) on the real
 * DPDK wire and tunnel ports of {@link DpdkBackend} ({@code DpdkWirePort}, {@code DpdkTunnelPort},
 * built with {@link DpdkBackend#overPorts}), over {@code net_ring} and {@code net_null} ethdevs
 * instead of a NIC, {@code net_tun} and {@code net_tap}: no kernel in the way, no copy the
 * backend would not make. Next to it, in the same run, raw intel-ipsec-mb on the same packets
 * ({@link DirectIpsecMb}).
 *
 * <h2>Devices</h2>
 * <ul>
 * <li>The <b>input</b> port is a {@code net_ring} ethdev ({@link RteEthRing#rte_eth_from_rings})
 *     whose RX ring the harness fills with mbufs: Ethernet/IPv4/UDP frames carrying sealed
 *     P_DATA_V2 packets from the peer for {@code decrypt} (it is the wire port), IPv4 packets
 *     routed to the peer for {@code encrypt} (it is the tunnel port). Its TX ring must stay empty.
 * <li>The <b>output</b> port (tunnel for decrypt, wire for encrypt) is, with {@code sink=null},
 *     {@code net_null,no-rx=1}: its {@code tx_burst} frees every mbuf, inside the measurement, as
 *     a NIC's transmit completion would; with {@code sink=ring} a {@code net_ring} whose TX ring
 *     the harness drains and frees outside the measurement.
 * <li>The <b>exception</b> port is {@code net_null,no-rx=1}: polled by the wire port as the
 *     {@code net_tap} would be, never receives; nothing may be sent to it.
 * </ul>
 *
 * <h2>What is measured</h2>
 * One benchmark invocation is one <em>chunk</em>: the harness (untimed) drains the sink ring,
 * checks that the input ring is empty, re-keys on the decrypt ring's wrap, allocates up to
 * {@value #CHUNK_BURSTS_DEFAULT} bursts of mbufs from a pool of its own and copies the next
 * frames into them (what a NIC's DMA does), and puts them on the input RX ring. Then the timed
 * part: {@code worker.doWork(System.nanoTime())} once per burst, exactly as {@code WorkerThread}
 * calls it — both directions polled, the exception port polled as the wire port does it. Per
 * chunk the thread's CPU time ({@link CpuClock}) and {@link System#nanoTime} are read around the
 * timed loop only, and the thread's allocated bytes. Reported as aux counters per iteration:
 * {@code packets}, {@code cpuNanos}, {@code wallNanos}, {@code allocBytes}; JMH's own score
 * (chunks per second including the harness) is not the result.
 *
 * <p>Inside: rx burst shim + {@code net_ring} dequeue, frame parsing and neighbour learning
 * ({@code Frames}), the worker (peer lookup, AEAD, replay window, RPF, routing, counters), the
 * outer header write and {@code MbufTx} on transmit, {@code tx_burst} on the output ethdev (with
 * {@code sink=null}: the driver's per-mbuf free), the lent mbufs' bulk free at the next receive,
 * the exception-port polls, and the two clock reads per chunk. Outside: the mbuf allocation
 * and the frame copy (a NIC's RX refill and DMA), the re-key, draining the sink ring.
 *
 * <p>Replay: the decrypt frames carry packet-ids 1..N (N = 11 000–65 000, {@link PacketRing}).
 * Each time they start over, the harness re-installs the peer's key with NEW_KEY (a new slot,
 * a new replay window), as {@link PipelineBench} does, but outside the timed part. After every
 * iteration the engine's drop counters must be zero, every chunk must have been received
 * whole, everything fed must have left through the output port, and nothing may have gone to
 * the exception port or back out of the input port — or the iteration fails.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DpdkPipelineBench {
    static final int BURST = PacketBatch.DEFAULT_BURST;
    /** Bursts per chunk; {@code -Dovd.bench.chunkBursts=N} to change (N × 32 ≤ 4064). */
    static final int CHUNK_BURSTS_DEFAULT = 32;
    static final int CHUNK_BURSTS = Integer.getInteger("ovd.bench.chunkBursts", CHUNK_BURSTS_DEFAULT);
    static final int CHUNK = CHUNK_BURSTS * BURST;
    /** Our wire address (the {@code --listen} of the daemon). */
    static final int LISTEN_IP = PacketRing.ipv4(198, 51, 100, 1);
    static final int LISTEN_PORT = 1194;
    /** The peer's Ethernet address: not the wire port's, or the own-echo filter would drop its frames. */
    static final long PEER_MAC = 0x02_00_5E_00_00_01L;
    static final int OUTER = 14 + 20 + 8;
    /** Staging stride of the crypto reference: an mbuf's buffer (2048 + 128 headroom). */
    static final int STAGE_STRIDE = RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE;
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final Logger QUIET = Logger.getLogger("dev.ovpndpdk");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    /** What flows. */
    @State(Scope.Benchmark)
    public static class Workload extends PipelineBench.Flow {
        @Param({"AES_256_GCM"})
        public String cipher;

        /** Inner IP packet bytes, or {@code imix} ({@link PacketRing}). */
        @Param({"64", "1424"})
        public String size;

        @Param({"encrypt", "decrypt"})
        public String direction;

        @Setup(Level.Trial)
        public void setup() {
            derive(cipher, size, direction);
        }
    }

    /** Per-iteration results of one thread, reported by JMH as aux counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Clock {
        public long packets;
        public long cpuNanos;
        public long wallNanos;
        public long allocBytes;
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
            cpuNanos = 0;
            wallNanos = 0;
            allocBytes = 0;
        }

        private long a0;
        private long c0;
        private long t0;

        static long allocated() {
            return THREADS.getCurrentThreadAllocatedBytes();
        }

        /** Opens the timed part: nothing but what runs until {@link #stop} is measured. */
        void start() {
            a0 = allocated();
            c0 = CpuClock.now();
            t0 = System.nanoTime();
        }

        /** Closes the timed part, adding its wall, CPU time and allocation, and {@code n} packets. */
        void stop(long n) {
            long t1 = System.nanoTime();
            long c1 = CpuClock.now();
            long a1 = allocated();
            wallNanos += t1 - t0;
            cpuNanos += c1 - c0;
            allocBytes += a1 - a0;
            packets += n;
        }
    }

    /** EAL, the ethdevs, the backend, the engine with its peers and the worker; on the benchmark thread. */
    @State(Scope.Thread)
    public static class Pipeline {
        /** {@code null}: the output ethdev is net_null (frees in tx_burst, measured); {@code ring}: a net_ring drained outside. */
        @Param({"null"})
        public String sink;
        /**
         * {@code none}: crypto in intel-ipsec-mb on the worker's core (the daemon's default). Else the
         * cryptodev the worker submits to, by vdev: {@code crypto_aesni_gcm0}, {@code crypto_aesni_mb0},
         * or {@code scheduler} ({@code crypto_scheduler} in multi-core mode over {@code crypto_aesni_gcm1}
         * on lcore 1: the crypto on the other core). With one, cpuNanos is the worker's core only;
         * compare wallNanos.
         */
        @Param({"none"})
        public String offload;
        AsyncAeadEngine crypto;

        Workload w;
        Arena arena;
        Engine engine;
        DpdkBackend backend;
        Worker worker;
        KeyMaterial material;
        long feedPool;
        long inRx;
        long inTx;
        long sinkTx;
        int inPort;
        int outPort;
        int tapPort;
        MemorySegment vec;
        MemorySegment ethStats;
        /** For the {@code ports} diagnostic: a batch for the traffic, one for the idle direction, the peer's address. */
        PacketBatch portBatch;
        PacketBatch idleBatch;
        Remote peerRemote;
        // pre-built input: frames (decrypt) or IP packets (encrypt), each at off[i], len[i] bytes
        MemorySegment input;
        long[] off;
        int[] len;
        int next;
        boolean wrapped;
        // running totals for the checks
        long fed;
        long received;
        long drained;
        long outBase;
        String prefix;

        @Setup(Level.Trial)
        public void setup(Workload w) throws IOException {
            this.w = w;
            String missing = unavailableReason();
            if (missing != null) {
                throw new IllegalStateException("the DPDK pipeline benchmark cannot run here: " + missing);
            }
            if (!sink.equals("null") && !sink.equals("ring")) {
                throw new IllegalArgumentException("sink must be null or ring");
            }
            arena = Arena.ofShared();
            prefix = "ovdb" + ProcessHandle.current().pid();
            initEal(List.of("-l", offload.equals("scheduler") ? "0,1" : "0", "--no-huge", "-m", "512", "--no-pci", "--file-prefix=" + prefix,
                    "--vdev=net_null0,no-rx=1", "--vdev=net_null1,no-rx=1", "--log-level=*:warning", "--no-telemetry"));
            Runtime.getRuntime().addShutdownHook(new Thread(this::removeRuntimeDir, "dpdk-bench-cleanup"));

            // The harness's own mbufs: a chunk on the input ring, a chunk on the sink ring, the
            // per-lcore cache, a burst held by each port. No more: the pool hands mbufs out in
            // turn, so its size is the working set, and with 4 KiB pages (--no-huge) a larger
            // one costs TLB misses that hugepages on an appliance would not.
            int poolSize = Integer.getInteger("ovd.bench.poolSize", 2 * CHUNK + 2 * 256 + 4 * BURST);
            feedPool = RteMbuf.rte_pktmbuf_pool_create("ovdb_feed", poolSize, 256, 0, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE, 0);
            require(feedPool != 0, "rte_pktmbuf_pool_create(feed)");
            int flags = RteRing.RING_F_SP_ENQ | RteRing.RING_F_SC_DEQ;
            inRx = ring("ovdb_in_rx", flags);
            inTx = ring("ovdb_in_tx", flags);
            inPort = RteEthRing.rte_eth_from_rings("net_ring_in", new long[] {inRx}, new long[] {inTx}, 0);
            require(inPort >= 0, "rte_eth_from_rings(in)");
            if (sink.equals("ring")) {
                sinkTx = ring("ovdb_out_tx", flags);
                outPort = RteEthRing.rte_eth_from_rings("net_ring_out", new long[] {ring("ovdb_out_rx", flags)},
                        new long[] {sinkTx}, 0);
                require(outPort >= 0, "rte_eth_from_rings(out)");
            } else {
                outPort = RteEthdev.rte_eth_dev_get_port_by_name("net_null0");
                require(outPort >= 0, "net_null0");
            }
            tapPort = RteEthdev.rte_eth_dev_get_port_by_name("net_null1");
            require(tapPort >= 0, "net_null1");

            // The engine as PipelineBench builds it: MP, 16 peers with a key each, worker 0 carries peer 1.
            List<KeyMaterial> materials = new ArrayList<>();
            if (!offload.equals("none")) {
                crypto = CryptodevEngine.open(offload.equals("scheduler")
                        ? "crypto_scheduler,worker=crypto_aesni_gcm1,mode=multi-core,corelist=1" : offload, 1);
            }
            engine = PipelineBench.newEngine(w.alg, 1, materials,
                    crypto == null ? null : new Offload(crypto, Offload.DEFAULT_DEPTH, 0));
            material = materials.get(0);

            int wirePort = w.decrypt ? inPort : outPort;
            int tunPort = w.decrypt ? outPort : inPort;
            InetSocketAddress listen = new InetSocketAddress(PipelineBench.inet4(LISTEN_IP), LISTEN_PORT);
            backend = DpdkBackend.overPorts(new DpdkBackend.Config("bench", listen, 1, BURST, List.of(), null, null,
                    List.of(), 0, 0), wirePort, tunPort, tapPort);
            PipelineBench.pin(0);
            backend.threadSetUp(0, null).run(); // rte_thread_register, as the daemon's worker threads do
            worker = engine.addWorker(backend.wirePort(0), backend.tunnelPort(0));

            long wireMac;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment mac = RteEtherAddr.allocate(a);
                RteErrno.checkReturn(RteEthdev.rte_eth_macaddr_get(wirePort, mac), "rte_eth_macaddr_get");
                wireMac = 0;
                for (byte b : RteEtherAddr.addr_bytes(mac)) {
                    wireMac = (wireMac << 8) | (b & 0xFF);
                }
            }
            Remote peer = PipelineBench.Workload.remote(1);
            PacketRing r = w.traffic(arena, engine.crypto(), 1, material);
            if (w.decrypt) {
                buildFrames(r, peer, wireMac);
            } else {
                input = r.memory;
                off = new long[r.count];
                len = new int[r.count];
                for (int i = 0; i < r.count; i++) {
                    off[i] = r.offset[i] + Wire.DATA_V2_OVERHEAD;
                    len[i] = r.length[i];
                }
                // The next hop is known, as after the TLS handshake through the exception path: nothing waits on ARP.
                backend.neighbours().learn(false, 0, peer.lo(), PEER_MAC);
            }
            vec = arena.allocate(ValueLayout.JAVA_LONG, CHUNK);
            portBatch = backend.wirePort(0).newBatch(arena, BURST, 0);
            idleBatch = backend.wirePort(0).newBatch(arena, BURST, 0);
            peerRemote = peer;
            ethStats = RteEthStats.allocate(arena);
            outBase = opackets(outPort);
        }

        /** Frames as the peer sends them: Ethernet (peer MAC → wire MAC), IPv4, UDP to our port, {@code r}'s P_DATA_V2 with ids 1..N. */
        private void buildFrames(PacketRing r, Remote peer, long wireMac) {
            off = new long[r.count];
            len = new int[r.count];
            long at = 0;
            for (int i = 0; i < r.count; i++) {
                off[i] = at;
                len[i] = OUTER + r.length[i];
                at += (len[i] + 63) & ~63L;
            }
            input = arena.allocate(at, 64);
            for (int i = 0; i < r.count; i++) {
                long f = off[i];
                MemorySegment.copy(r.memory, r.offset[i], input, f + OUTER, r.length[i]);
                writeFrameHeaders(input, f, r.length[i], wireMac, (int) peer.lo(), peer.port(), i);
            }
        }

        private static void writeFrameHeaders(MemorySegment m, long f, int payload, long dstMac, int srcIp, int srcPort, int seq) {
            m.set(BE_SHORT, f, (short) (dstMac >>> 32));
            m.set(BE_INT, f + 2, (int) dstMac);
            m.set(BE_SHORT, f + 6, (short) (PEER_MAC >>> 32));
            m.set(BE_INT, f + 8, (int) PEER_MAC);
            m.set(BE_SHORT, f + 12, (short) 0x0800);
            long ip = f + 14;
            int udpLen = 8 + payload;
            m.set(BE_INT, ip, 0x4500_0000 | (20 + udpLen));
            m.set(BE_INT, ip + 4, (seq & 0xFFFF) << 16);
            m.set(BE_INT, ip + 8, (64 << 24) | (17 << 16));
            m.set(BE_INT, ip + 12, srcIp);
            m.set(BE_INT, ip + 16, LISTEN_IP);
            InetChecksum.setIpv4HeaderChecksum(m, ip, 20);
            long udp = ip + 20;
            m.set(BE_SHORT, udp, (short) srcPort);
            m.set(BE_SHORT, udp + 2, (short) LISTEN_PORT);
            m.set(BE_SHORT, udp + 4, (short) udpLen);
            m.set(BE_SHORT, udp + 6, (short) 0);
        }

        /**
         * The harness, untimed: drain the sink, re-key at the decrypt ring's start, allocate the
         * chunk's mbufs and copy the next packets in (a NIC's refill and DMA), onto the input RX ring.
         *
         * @return packets put on the ring (whole bursts)
         */
        int feed() {
            drain();
            if (RteRing.rte_ring_count(inRx) != 0 || RteRing.rte_ring_count(inTx) != 0) {
                throw new IllegalStateException("input port: " + RteRing.rte_ring_count(inRx) + " frames not received, "
                        + RteRing.rte_ring_count(inTx) + " sent back out of it");
            }
            if (wrapped) {
                wrapped = false;
                if (w.decrypt) {
                    PipelineBench.install(engine, w.alg, 1, material); // NEW_KEY, same bytes: a fresh replay window for ids 1..N again
                    engine.tick(System.nanoTime());
                }
            }
            int n = Math.min(CHUNK, off.length - next);
            int headroom = RteMbuf.RTE_PKTMBUF_HEADROOM; // where a NIC puts a received frame
            for (int b = 0; b < n; b += BURST) {
                int k = Math.min(BURST, n - b);
                long at = vec.address() + (long) b * Long.BYTES;
                if (RteMbuf.rte_pktmbuf_alloc_bulk(feedPool, at, k) != 0) {
                    throw new IllegalStateException("feed pool empty: mbufs leak");
                }
            }
            for (int i = 0; i < n; i++) {
                long m = vec.getAtIndex(ValueLayout.JAVA_LONG, i);
                int l = len[next + i];
                RteMbufCore.data_off(m, headroom);
                MemorySegment.copy(input, off[next + i], ALL, RteMbufCore.buf_addr(m) + headroom, l);
                RteMbufCore.data_len(m, l);
                RteMbufCore.pkt_len(m, l);
            }
            if (RteRing.rte_ring_enqueue_burst(inRx, vec.address(), n) != n) {
                throw new IllegalStateException("input ring full");
            }
            next += n;
            if (next == off.length) {
                next = 0;
                wrapped = true;
            }
            fed += n;
            return n;
        }

        /** With {@code sink=ring}: what the output port sent, back to the pool (outside the measurement). */
        void drain() {
            if (sinkTx == 0) {
                return;
            }
            int k;
            while ((k = RteRing.rte_ring_dequeue_burst(sinkTx, vec.address(), CHUNK)) > 0) {
                RteMbuf.rte_pktmbuf_free_bulk(vec.address(), k);
                drained += k;
            }
        }

        long opackets(int port) {
            RteErrno.checkReturn(RteEthdev.rte_eth_stats_get(port, ethStats), "rte_eth_stats_get");
            return RteEthStats.opackets(ethStats);
        }

        /** Every packet fed was received whole and came out of the output port; no drop, nothing to the kernel side. */
        @TearDown(Level.Iteration)
        public void check() {
            drain();
            PipelineBench.requireNoDrops(engine);
            long out = opackets(outPort) - outBase;
            long exc = opackets(tapPort);
            long back = opackets(inPort);
            if (received != fed || out != fed || exc != 0 || back != 0 || (sinkTx != 0 && drained != fed)) {
                throw new IllegalStateException("fed " + fed + ", received " + received + ", sent by the output port " + out
                        + (sinkTx != 0 ? " (drained " + drained + ")" : "") + ", to the exception port " + exc
                        + ", back out of the input port " + back);
            }
        }

        private long ring(String name, int flags) {
            long r = RteRing.rte_ring_create(name, 4096, 0, flags);
            require(r != 0, "rte_ring_create(" + name + ")");
            return r;
        }

        private void removeRuntimeDir() {
            Path dir = Path.of("/var/run/dpdk", prefix);
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }
    }

    /**
     * Why this benchmark cannot run here (one line), or null: DPDK 22.11 with the shim, its
     * {@code net_ring} and {@code net_null} drivers, and intel-ipsec-mb for the reference.
     */
    @SuppressWarnings("restricted")
    static String unavailableReason() {
        String r = Dpdk.unavailableReason();
        if (r != null) {
            return r;
        }
        for (String lib : List.of(RteEthRing.LIBRARY, "librte_net_null.so.23")) {
            try {
                SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (IllegalArgumentException e) {
                return "DPDK driver " + lib + " not found: apt-get install dpdk (librte-net-ring23, librte-net-null23)";
            }
        }
        return IpsecMb.isAvailable() ? null : IpsecMb.unavailableReason();
    }

    /** For scripts: prints why the benchmark cannot run and exits 3, or prints "ok". */
    public static void main(String[] args) {
        String r = unavailableReason();
        System.out.println(r == null ? "ok" : r);
        System.exit(r == null ? 0 : 3);
    }

    /** EAL on a thread of its own ({@link DpdkBackend#initEal}); a failure ends the trial. */
    static void initEal(List<String> args) {
        int e;
        try {
            e = DpdkBackend.initEal(args);
        } catch (java.io.IOException x) {
            throw new IllegalStateException(x.getMessage(), x);
        }
        if (e != 0) {
            throw new IllegalStateException("rte_eal_init: " + RteErrno.rte_strerror(e) + "; EAL arguments: "
                    + String.join(" ", args));
        }
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            int e = RteErrno.rte_errno();
            throw new IllegalStateException(what + ": " + RteErrno.rte_strerror(e) + " (rte_errno " + e + ")");
        }
    }

    /** The reference: raw intel-ipsec-mb on the same packets, staged in mbuf-sized buffers chunk by chunk. */
    @State(Scope.Thread)
    public static class Direct extends PipelineBench.Reference {
        MemorySegment stage;

        @Setup(Level.Trial)
        public void setup(Workload w) {
            open(w);
            stage = arena.allocate((long) CHUNK * STAGE_STRIDE, 64);
        }

        /** Untimed: the next chunk's packets copied into the staging buffers, P_DATA_V2 start 128 - 24 bytes in. */
        int stage() {
            int n = Math.min(CHUNK, ring.count - next);
            for (int i = 0; i < n; i++) {
                long base = (long) i * STAGE_STRIDE + RteMbuf.RTE_PKTMBUF_HEADROOM - Wire.DATA_V2_OVERHEAD;
                int e = next + i;
                if (decrypt) {
                    MemorySegment.copy(ring.memory, ring.offset[e], stage, base, ring.length[e]);
                } else {
                    MemorySegment.copy(ring.memory, ring.offset[e] + Wire.DATA_V2_OVERHEAD, stage, base + Wire.DATA_V2_OVERHEAD,
                            ring.length[e]);
                }
            }
            return n;
        }

        /** Timed: open in place (as the worker does) or seal in place. */
        void crypt(int n) {
            long s = stage.address();
            for (int i = 0; i < n; i++) {
                long base = s + (long) i * STAGE_STRIDE + RteMbuf.RTE_PKTMBUF_HEADROOM - Wire.DATA_V2_OVERHEAD;
                int e = next + i;
                if (decrypt) {
                    int c = ring.length[e] - Wire.CIPHERTEXT_OFFSET;
                    if (!aead.open(base, base + Wire.CIPHERTEXT_OFFSET, c)) {
                        failures++;
                    }
                } else {
                    aead.seal(base, ring.length[e], ++packetId);
                }
            }
            next += n;
            if (next == ring.count) {
                next = 0;
            }
        }
    }

    @Benchmark
    public int pipeline(Pipeline p, Clock c) {
        int n = p.feed();
        Worker worker = p.worker;
        int bursts = (n + BURST - 1) / BURST;
        c.start();
        int got = 0;
        for (int k = 0; k < bursts; k++) {
            got += worker.doWork(System.nanoTime());
        }
        if (p.crypto != null) {
            // Everything home before the clock stops: the passes that collect completions are the work too.
            while (worker.inFlight() > 0) {
                worker.doWork(System.nanoTime());
            }
            got = n; // doWork counted received and finished packets alike
        }
        c.stop(got);
        p.received += got;
        return got;
    }

    /**
     * Diagnostic, not the result: the two DPDK ports alone, as the worker would use them but with
     * no engine in between — receive a burst, move each entry as decrypt or encrypt would (skip
     * or prepend the 24-byte header, set the peer's address), send it. What the ports cost per
     * packet, for before/after comparisons of the port code.
     */
    @Benchmark
    public int ports(Pipeline p, Clock c) {
        int n = p.feed();
        WirePort wire = p.backend.wirePort(0);
        TunnelPort tun = p.backend.tunnelPort(0);
        PacketBatch b = p.portBatch;
        Remote r = p.peerRemote;
        boolean decrypt = p.w.decrypt;
        int bursts = (n + BURST - 1) / BURST;
        c.start();
        int got = 0;
        for (int k = 0; k < bursts; k++) {
            if (decrypt) { // in Worker.doWork's order: wire → tunnel, then the tunnel polled
                int m = wire.receive(b);
                for (int i = 0; i < m; i++) {
                    b.offset[i] += Wire.DATA_V2_OVERHEAD;
                    b.length[i] -= Wire.DATA_V2_OVERHEAD;
                }
                tun.send(b, m);
                tun.receive(p.idleBatch);
                got += m;
            } else {
                wire.receive(p.idleBatch);
                int m = tun.receive(b);
                for (int i = 0; i < m; i++) {
                    b.offset[i] -= Wire.DATA_V2_OVERHEAD;
                    b.length[i] += Wire.DATA_V2_OVERHEAD;
                    b.addrV6[i] = r.ipv6();
                    b.addrHi[i] = r.hi();
                    b.addrLo[i] = r.lo();
                    b.addrPort[i] = r.port();
                }
                wire.send(b, m);
                got += m;
            }
            for (int i = 0; i < b.count; i++) {
                if (b.txDrop[i] != 0) {
                    throw new IllegalStateException("port refused entry " + i + ": mark " + b.txDrop[i]);
                }
            }
        }
        c.stop(got);
        p.received += got;
        return got;
    }

    @Benchmark
    public int crypto(Direct d, Clock c) {
        int n = d.stage();
        c.start();
        d.crypt(n);
        c.stop(n);
        return n;
    }
}

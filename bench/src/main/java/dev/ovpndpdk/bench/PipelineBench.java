package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.bindings.libc.Affinity;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Worker;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Wire;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.Arena;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The whole worker loop, {@link Worker#doWork} exactly as {@code WorkerThread} calls it, on
 * allocation-free memory ports ({@link RingWirePort}, {@link RingTunnelPort}); ops are packets.
 *
 * <ul>
 * <li>{@code decrypt}: wire receive (copy in) → opcode → peer by peer-id → AEAD open → replay
 *     window → plaintext kind → RPF (inner source must belong to the peer) → counters →
 *     tunnel send (counted, not copied).
 * <li>{@code encrypt}: tunnel receive (copy in) → route by destination → packet-id → header →
 *     AEAD seal → counters → wire send (counted, not copied).
 * </ul>
 *
 * The engine is in MP mode with {@value #PEERS} peers, each with its own key, so routing and
 * RPF are real hash lookups (no single-peer shortcut); worker {@code k} carries the traffic of
 * peer {@code k + 1}, as peer-id steering does. {@code pipeline} runs one worker on one
 * thread; {@code pipeline2} two workers of one engine on two threads, each with its own ports
 * and peer. Each thread pins itself to one allowed CPU. {@code crypto} is the reference in the
 * same run, raw AEAD and nothing else: {@link DirectIpsecMb} on a ring like the pipeline's,
 * copied in the same way into slots like the worker's and sealed or opened in place there.
 *
 * <p>Where the packets come from: the ports copy each packet from the ring into the worker's
 * batch, as a NIC's DMA writes it into an mbuf (and as {@code recvmmsg} or a TUN read copies
 * it for the socket backend). The copy must happen — a decrypt in place destroys the ring
 * otherwise — but on a DPDK appliance it is the NIC's work, not the core's; so the ports
 * time it on its own ({@link CopyClock}, about 50 ns at 1424 bytes and 7 ns at 64 here) and
 * the benchmark reports both: JMH's packets/s by wall clock with the copy, and the worker's
 * packets per CPU-second without it (the bars' measure). The copy leaves the packet in the
 * batch's slots, which stay in L2 as a DPDK mempool's per-core cache keeps mbufs warm; the
 * reference copies into the same kind of slots, timed the same way, so both work on warm buffers.
 *
 * <p>The replay window, honestly: the decrypt ring holds N packets with packet-ids 1..N
 * (N = 11 000–65 000, see {@link PacketRing}). Fed a second time they would all be — rightly —
 * dropped as replays. So each time the ring starts over, the benchmark thread, playing the
 * control thread, re-installs the peer's key with NEW_KEY ({@link Engine#newKey}: a new key
 * slot, hence a new window, the old slot retired through the grace period and reclaimed by
 * {@link Engine#tick}) — what a rekey does, except that the key bytes are the same. Every
 * packet still goes through the full window check. That control-plane work is inside the
 * measurement: it costs ~50 µs (mostly closing the old key's shared arena) and ~1.5 KB of
 * allocation per ring pass, which shows up in {@code gc.alloc.rate.norm} as 0.02–0.14 bytes
 * per packet; the encrypt direction needs no such thing and shows the worker's own
 * allocation alone (0).
 *
 * <p>After every iteration the engine's drop counters must be zero and every packet
 * received must have come out the other side, or the iteration fails: a benchmark that
 * silently drops packets would measure the drop path.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PipelineBench {
    static final int BURST = PacketBatch.DEFAULT_BURST;
    static final int PEERS = 16;
    static final int SERVER_VPN = PacketRing.ipv4(10, 8, 0, 1);
    /** Keep INFO logs (a line per NEW_KEY) out of the measurement; held so it is not collected. */
    private static final Logger QUIET = Logger.getLogger("dev.ovpndpdk");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    /**
     * What a workload's parameters stand for, shared by this benchmark's {@link Workload} and
     * {@link DpdkPipelineBench}'s, which differ only in the values they run by default.
     */
    abstract static class Flow {
        CipherAlg alg;
        int[] sizes;
        boolean decrypt;

        void derive(String cipher, String size, String direction) {
            alg = CipherAlg.valueOf(cipher);
            sizes = PacketRing.sizes(size);
            decrypt = switch (direction) {
                case "decrypt" -> true;
                case "encrypt" -> false;
                default -> throw new IllegalArgumentException("direction must be encrypt or decrypt");
            };
        }

        /**
         * Peer {@code peer}'s traffic as it reaches us: for decrypt, sealed by the peer with its
         * (the client's) side of {@code km}, packet-ids 1..N; for encrypt, plaintext from the host
         * routed to the peer.
         */
        PacketRing traffic(Arena arena, AeadEngine crypto, int peer, KeyMaterial km) {
            if (!decrypt) {
                return PacketRing.plaintext(arena, sizes, SERVER_VPN, Workload.vpn(peer));
            }
            try (AeadScratch scratch = crypto.newScratch();
                 KeySlot sender = KeySlot.create(crypto, 0, alg, km, Role.CLIENT, 64)) {
                return PacketRing.sealed(arena, sizes, Workload.vpn(peer), SERVER_VPN, sender, peer, scratch);
            }
        }

        /** The raw-crypto reference with our (the server's) key of {@code km} for this direction. */
        DirectIpsecMb reference(KeyMaterial km) {
            int dir = decrypt ? Role.SERVER.decryptIndex() : Role.SERVER.encryptIndex();
            return new DirectIpsecMb(alg, km.cipherKey(dir, alg), km.nonceTail(dir));
        }
    }

    /**
     * The raw-crypto reference's state, shared by this benchmark's {@link Direct} and
     * {@link DpdkPipelineBench}'s, which differ only in how they stage and time the packets:
     * peer 1's traffic ({@link Flow#traffic}) and our key for it ({@link Flow#reference}) on a
     * pinned thread; every open must authenticate.
     */
    abstract static class Reference {
        Arena arena;
        KeyMaterial km;
        PacketRing ring;
        DirectIpsecMb aead;
        boolean decrypt;
        int next;
        int packetId;
        long failures;

        /** From the subclass's trial set-up, before it allocates its staging memory in {@link #arena}. */
        void open(Flow w) {
            pin(0);
            decrypt = w.decrypt;
            arena = Arena.ofShared();
            km = Workload.material(1);
            aead = w.reference(km);
            ring = w.traffic(arena, AeadEngines.select("aesni"), 1, km);
        }

        @TearDown(Level.Iteration)
        public void requireAuthenticated() {
            if (failures != 0) {
                throw new IllegalStateException(failures + " direct opens failed authentication");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            aead.close();
            km.close();
            arena.close();
        }
    }

    /** What flows: cipher, packet size, direction. */
    @State(Scope.Benchmark)
    public static class Workload extends Flow {
        @Param({"AES_256_GCM", "AES_128_GCM", "CHACHA20_POLY1305"})
        public String cipher;

        /** Inner IP packet bytes, or {@code imix} (7:4:1 of 64/576/1424, see {@link PacketRing}). */
        @Param({"64", "512", "1424", "imix"})
        public String size;

        @Param({"encrypt", "decrypt"})
        public String direction;

        @Setup(Level.Trial)
        public void setup() {
            derive(cipher, size, direction);
        }

        /** Peer {@code id}'s key block, the same in every run. */
        static KeyMaterial material(int id) {
            byte[] b = new byte[KeyMaterial.BLOCK_LENGTH];
            new Random(1000 + id).nextBytes(b);
            return KeyMaterial.of(b);
        }

        static int vpn(int peer) {
            return PacketRing.ipv4(10, 8, 0, peer + 1);
        }

        static Remote remote(int peer) {
            return Remote.ipv4(PacketRing.ipv4(192, 0, 2, peer), 1194);
        }
    }

    /** One worker with its ports and its peer. */
    static final class Lane {
        final int index;
        final int peer;
        final KeyMaterial material;
        final RingWirePort wire;
        final RingTunnelPort tunnel;
        final Worker worker;
        long calls;
        long moved;

        Lane(int index, int peer, KeyMaterial material, RingWirePort wire, RingTunnelPort tunnel, Worker worker) {
            this.index = index;
            this.peer = peer;
            this.material = material;
            this.wire = wire;
            this.tunnel = tunnel;
            this.worker = worker;
        }

        long delivered() {
            return wire.sent + tunnel.sent;
        }

        /** Time the ports spent copying packets in: the NIC's part, see the class comment. */
        long nicNanos() {
            return wire.copyClock.nanos() + tunnel.copyClock.nanos();
        }
    }

    /** The engine, its peers and one lane per benchmark thread. */
    @State(Scope.Benchmark)
    public static class Pipeline {
        Workload w;
        Engine engine;
        Arena arena;
        final List<KeyMaterial> materials = new ArrayList<>();
        final List<Lane> lanes = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup(Workload w, BenchmarkParams params) {
            build(w, params.getThreads());
        }

        void build(Workload w, int workers) {
            this.w = w;
            engine = newEngine(w.alg, workers, materials);
            arena = Arena.ofShared();
            Runtime.getRuntime().addShutdownHook(new java.lang.Thread(this::close, "pipeline-bench-close"));
        }

        /**
         * Builds the next lane — ring, ports, worker — on the calling benchmark thread, so that
         * its per-burst state comes from that thread's allocation buffer and shares no cache line
         * with another lane's. Serialised: the engine takes workers from one thread at a time.
         */
        synchronized Lane claim() {
            int k = lanes.size();
            if (k == engine.config().workers()) {
                throw new IllegalStateException("more benchmark threads than workers");
            }
            int peer = k + 1;
            KeyMaterial km = materials.get(peer - 1);
            PacketRing traffic = w.traffic(arena, engine.crypto(), peer, km);
            RingWirePort wire = new RingWirePort(w.decrypt ? traffic : null, Workload.remote(peer));
            RingTunnelPort tunnel = new RingTunnelPort(w.decrypt ? null : traffic);
            Lane l = new Lane(k, peer, km, wire, tunnel, engine.addWorker(wire, tunnel));
            lanes.add(l);
            return l;
        }

        /** The decrypt ring starts over: NEW_KEY with the same bytes, a fresh replay window (see class comment). */
        synchronized void rekey(Lane l) {
            install(engine, w.alg, l.peer, l.material);
            engine.tick(System.nanoTime());
        }

        /** Every packet in came out, nothing was dropped — or the numbers mean nothing. */
        @TearDown(Level.Iteration)
        public void check() {
            requireNoDrops(engine);
            for (Lane l : lanes) {
                if (l.moved != l.calls * BURST || l.delivered() != l.moved) {
                    throw new IllegalStateException("worker " + l.index + ": " + l.calls + " bursts, "
                            + l.moved + " packets in, " + l.delivered() + " out");
                }
            }
        }

        /**
         * At JVM exit, not as a trial teardown: JMH runs trial teardowns inside the last
         * measured iteration, and closing the engine (a notification with counter maps per
         * peer, ~300 KB) would be counted there as allocation per packet. A fork exits right
         * after its trial.
         */
        private synchronized void close() {
            if (engine != null) {
                engine.close();
                materials.forEach(KeyMaterial::close);
                arena.close();
                engine = null;
            }
        }
    }

    /**
     * A benchmark thread's lane, its thread pinned to one CPU of those allowed. Also counts
     * packets and the thread's CPU time per iteration ({@link CpuClock}).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Driver {
        Pipeline pipeline;
        Lane lane;
        /**
         * Reported per iteration (summed over threads): packets moved, CPU nanoseconds spent,
         * and of those the nanoseconds the ports spent copying packets in (the NIC's DMA).
         */
        public long packets;
        public long cpuNanos;
        public long nicNanos;
        private long cpuStart;
        private long nicStart;

        @Setup(Level.Iteration)
        public void startClock() {
            packets = 0;
            cpuNanos = 0;
            nicNanos = 0;
            nicStart = lane == null ? 0 : lane.nicNanos();
            cpuStart = CpuClock.now();
        }

        @TearDown(Level.Iteration)
        public void stopClock() {
            cpuNanos = CpuClock.now() - cpuStart;
            nicNanos = lane.nicNanos() - nicStart;
        }

        @Setup(Level.Trial)
        public void setup(Pipeline p) {
            pipeline = p;
            lane = p.claim();
            pin(lane.index);
        }

        /** One burst through the worker; the decrypt ring's restart first gets its NEW_KEY. */
        int burst() {
            Lane l = lane;
            if (l.wire.wrapped) {
                l.wire.wrapped = false;
                pipeline.rekey(l);
            }
            int n = l.worker.doWork(System.nanoTime());
            l.calls++;
            l.moved += n;
            packets += n;
            return n;
        }
    }

    /**
     * The reference: raw intel-ipsec-mb over a ring like the pipeline's, one thread. Each burst
     * is first copied from the ring into 32 slots, as the pipeline's ports copy it into the
     * worker's batch, and timed the same way ({@link CopyClock}), so that both sides work on
     * the same warm buffers and both ratios compare like with like; then each packet is sealed
     * or opened in place there.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Direct extends Reference {
        public long packets;
        public long cpuNanos;
        public long nicNanos;
        private long cpuStart;
        private long nicStart;
        private final CopyClock copyClock = new CopyClock();
        PacketBatch slots;

        @Setup(Level.Trial)
        public void setup(Workload w) {
            open(w);
            slots = new PacketBatch(arena, BURST, 2048); // as the worker's
        }

        int burst() {
            int first = next;
            // As the ports do: the sealed packet, or the plaintext, at the slot's headroom.
            ring.copyInto(slots, first, BURST, decrypt ? 0 : Wire.DATA_V2_OVERHEAD, copyClock);
            long mem = slots.memory.address();
            for (int k = 0; k < BURST; k++) {
                int e = first + k;
                if (decrypt) {
                    long base = mem + slots.offset[k];
                    if (!aead.open(base, base + Wire.CIPHERTEXT_OFFSET, ring.length[e] - Wire.CIPHERTEXT_OFFSET)) {
                        failures++;
                    }
                } else {
                    aead.seal(mem + slots.offset[k] - Wire.DATA_V2_OVERHEAD, ring.length[e], ++packetId); // header in front, as the worker
                }
            }
            int i = first + BURST;
            next = i == ring.count ? 0 : i;
            packets += BURST;
            return BURST;
        }

        @Setup(Level.Iteration)
        public void startClock() {
            packets = 0;
            cpuNanos = 0;
            nicNanos = 0;
            nicStart = copyClock.nanos();
            cpuStart = CpuClock.now();
        }

        @TearDown(Level.Iteration)
        public void stopClock() {
            cpuNanos = CpuClock.now() - cpuStart;
            nicNanos = copyClock.nanos() - nicStart;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int pipeline(Driver t) {
        return t.burst();
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BURST)
    public int pipeline2(Driver t) {
        return t.burst();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int crypto(Direct d) {
        return d.burst();
    }

    /**
     * The engine both pipeline benchmarks drive: MP mode, {@value #PEERS} peers, peer {@code id}
     * with key material {@code id - 1} of {@code materials} (filled here) installed, aesni crypto.
     */
    static Engine newEngine(CipherAlg alg, int workers, List<KeyMaterial> materials) {
        return newEngine(alg, workers, materials, null);
    }

    /** With an asynchronous crypto engine ({@code offload} not null). */
    static Engine newEngine(CipherAlg alg, int workers, List<KeyMaterial> materials, dev.ovpndpdk.dataplane.engine.Offload offload) {
        Engine engine = new Engine(Engine.Config.defaults(dev.ovpndpdk.dataplane.peer.Mode.MP, workers),
                AeadEngines.select("aesni"), offload);
        long now = System.nanoTime();
        for (int id = 1; id <= PEERS; id++) {
            KeyMaterial km = Workload.material(id);
            materials.add(km);
            engine.newPeer(id, id, Workload.remote(id).toSocketAddress(), inet4(Workload.vpn(id)), null, null, now);
            install(engine, alg, id, km);
        }
        return engine;
    }

    /** NEW_KEY into {@code peer}'s primary slot: our (the server's) side of {@code km}. */
    static void install(Engine engine, CipherAlg alg, int peer, KeyMaterial km) {
        Role r = Role.SERVER;
        engine.newKey(peer, KeySlots.Slot.PRIMARY, 0, alg, km.cipherKey(r.encryptIndex(), alg),
                km.nonceTail(r.encryptIndex()), km.cipherKey(r.decryptIndex(), alg), km.nonceTail(r.decryptIndex()));
    }

    /** Fails the iteration, naming each reason, if the engine dropped anything: the numbers would measure the drop path. */
    static void requireNoDrops(Engine engine) {
        long drops = engine.stats().totalDrops();
        if (drops != 0) {
            StringBuilder why = new StringBuilder();
            engine.stats().dropSnapshot().forEach((r, n) -> {
                if (n != 0) {
                    why.append(' ').append(r.counterName()).append('=').append(n);
                }
            });
            throw new IllegalStateException(drops + " packets dropped:" + why);
        }
    }

    /** Worker k on the k-th allowed CPU (wrapping), as the daemon pins one worker per core. */
    static void pin(int k) {
        try {
            BitSet allowed = Affinity.currentThread();
            int cpu = allowed.nextSetBit(0);
            for (int i = 0; i < k % allowed.cardinality(); i++) {
                cpu = allowed.nextSetBit(cpu + 1);
            }
            Affinity.pinCurrentThread(cpu);
        } catch (Exception | LinkageError e) {
            System.err.println("PipelineBench: could not pin thread " + k + ": " + e);
        }
    }

    static Inet4Address inet4(int a) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Worker;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The worker's encrypt path with many peers: {@link PipelineBench}'s one-worker pipeline
 * (memory ports, AES-256-GCM, MP mode), but each packet from the tunnel goes to a random one
 * of {@code peers} peers, each with its own key installed — so with 100,000 peers the route
 * lookup walks a large trie and the peer, its key slot and its key schedule come from cold
 * cache lines, where with 16 they stay in L1/L2. The ring holds up to 65,536 packets (fewer
 * at 1424 bytes: 16 MiB), each to a random peer. Issue 13's bar: 100,000 peers at ≥ 80 % of
 * the 16-peer rate.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class PeerScaleBench {
    private static final int BURST = PipelineBench.BURST;
    private static final int MATERIALS = 16;
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @State(Scope.Thread)
    public static class Table {
        @Param({"16", "100000"})
        public int peers;

        /**
         * How many of the peers the traffic goes to (the first ones), 0 for all: with 16 of
         * 100,000 the table is as large but the peers and keys in use stay in cache, which
         * separates the cost of the table's size from that of cold peers and keys.
         */
        @Param({"0"})
        public int active;

        /** Inner IP packet bytes. */
        @Param({"64", "1424"})
        public int size;

        Engine engine;
        Worker worker;
        Arena arena;
        final List<KeyMaterial> materials = new ArrayList<>();
        long calls;
        long moved;

        @Setup(Level.Trial)
        public void setup() {
            PipelineBench.pin(0);
            CipherAlg alg = CipherAlg.AES_256_GCM;
            engine = new Engine(Engine.Config.defaults(Mode.MP, 1), AeadEngines.select("aesni"));
            for (int m = 1; m <= MATERIALS; m++) {
                materials.add(PipelineBench.Workload.material(m));
            }
            long now = System.nanoTime();
            for (int id = 1; id <= peers; id++) {
                engine.newPeer(id, id, PipelineBench.Workload.remote(id & 0xFF).toSocketAddress(),
                        PipelineBench.inet4(PipelineBench.Workload.vpn(id)), null, null, now);
                // Each peer its own key slot (its own key schedule in native memory); the bytes repeat.
                PipelineBench.install(engine, alg, id, materials.get(id % MATERIALS));
            }
            arena = Arena.ofShared();
            PacketRing ring = PacketRing.plaintext(arena, new int[] {size}, PipelineBench.SERVER_VPN, PipelineBench.Workload.vpn(1));
            Random r = new Random(13);
            for (int i = 0; i < ring.count; i++) {
                int dst = PipelineBench.Workload.vpn(1 + r.nextInt(active > 0 ? Math.min(active, peers) : peers));
                ring.memory.set(BE_INT, ring.offset[i] + Wire.DATA_V2_OVERHEAD + 16, dst);
            }
            worker = engine.addWorker(new RingWirePort(null, PipelineBench.Workload.remote(1)), new RingTunnelPort(ring));
        }

        @TearDown(Level.Iteration)
        public void check() {
            PipelineBench.requireNoDrops(engine);
            if (moved != calls * BURST) {
                throw new IllegalStateException(calls + " bursts, " + moved + " packets");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            engine.close();
            materials.forEach(KeyMaterial::close);
            arena.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int encrypt(Table t) {
        int n = t.worker.doWork(System.nanoTime());
        t.calls++;
        t.moved += n;
        return n;
    }
}

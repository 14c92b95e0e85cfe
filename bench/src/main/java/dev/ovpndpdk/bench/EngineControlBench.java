package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The control operations on the {@link Engine} itself, without the control socket, its
 * codec or logging: what one operation costs at a table of {@code peers} peers with keys
 * (scripts/bench-control.sh measures the same through the socket). {@code newPeerWithKey}
 * adds a peer with a VPN address and an AES-256-GCM key and deletes it again, so the table
 * stays at its size; {@code rekey} is NEW_KEY into the secondary slot, SWAP_KEYS and
 * DEL_KEY on a random peer; both tick every 1,024 operations to reclaim the retired keys
 * (no workers: the grace period passes at once). Both should be flat in {@code peers}.
 * {@code tick} is one {@link Engine#tick} at that size (the daemon runs one every ≤ 100 ms,
 * whatever the request rate; beyond 4,096 peers it looks at a tenth of them).
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class EngineControlBench {
    private static final Logger QUIET = Logger.getLogger("dev.ovpndpdk");

    static {
        QUIET.setLevel(Level.WARNING);
    }

    @State(Scope.Thread)
    public static class Table {
        @Param({"1000", "100000"})
        public int peers;

        Engine engine;
        KeyMaterial km;
        final Random random = new Random(13);
        int next;
        int rekeys;

        @Setup
        public void setup() {
            engine = new Engine(Engine.Config.defaults(Mode.MP, 2), AeadEngines.select("aesni"));
            km = PipelineBench.Workload.material(1);
            for (int id = 1; id <= peers; id++) {
                add(id);
            }
            next = peers + 1;
        }

        void add(int id) {
            engine.newPeer(id, id, PipelineBench.Workload.remote(id & 0xFF).toSocketAddress(),
                    PipelineBench.inet4(PipelineBench.Workload.vpn(id)), null, null, System.nanoTime());
            PipelineBench.install(engine, CipherAlg.AES_256_GCM, id, km);
        }

        @TearDown
        public void close() {
            engine.close();
            km.close();
        }
    }

    @Benchmark
    public void newPeerWithKey(Table t) {
        int id = t.next++;
        t.add(id);
        t.engine.delPeer(id);
        if ((id & 1023) == 0) {
            t.engine.tick(System.nanoTime());
        }
    }

    @Benchmark
    public void rekey(Table t) {
        Engine e = t.engine;
        int id = 1 + t.random.nextInt(t.peers);
        Role r = Role.SERVER;
        CipherAlg alg = CipherAlg.AES_256_GCM;
        e.newKey(id, KeySlots.Slot.SECONDARY, 1, alg, t.km.cipherKey(r.encryptIndex(), alg), t.km.nonceTail(r.encryptIndex()),
                t.km.cipherKey(r.decryptIndex(), alg), t.km.nonceTail(r.decryptIndex()));
        e.swapKeys(id);
        e.delKey(id, KeySlots.Slot.SECONDARY);
        if ((++t.rekeys & 1023) == 0) {
            e.tick(System.nanoTime());
        }
    }

    @Benchmark
    public void tick(Table t) {
        t.engine.tick(System.nanoTime());
    }
}

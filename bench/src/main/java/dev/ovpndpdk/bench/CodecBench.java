package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Verdict;

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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The data-channel codec per packet: {@code encrypt} is the whole transmit step of
 * {@link DataChannel#encrypt} (primary slot, packet-id, header, seal), {@code decrypt} the
 * receive step of {@link DataChannel#open} (opcode, key-id, open, plaintext kind) — the codec
 * the workers run, compared with {@link CryptoBench}'s direct intel-ipsec-mb calls on the
 * same sizes in the same run ({@code scripts/bench-codec.sh}).
 *
 * <p>Like {@link CryptoBench#open}, each decrypt first copies one of {@value #RING} sealed
 * packets into the buffer (opening in place destroys it), so both columns pay that copy.
 * The replay window is left out here: its cost is a few bit operations, and a benchmark that
 * replays a ring of packets would only measure its refusals.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CodecBench {
    static final int RING = 16;

    @State(Scope.Thread)
    public static class Codec {
        @Param({"AES_128_GCM", "AES_256_GCM", "CHACHA20_POLY1305"})
        public String cipher;

        @Param({"64", "512", "1424"})
        public int size;

        @Param({"aesni", "jdk"})
        public String engine;

        Arena arena;
        KeyMaterial material;
        KeySlot client;
        KeySlot server;
        KeySlots.Pair tx;
        AeadScratch scratch;
        MemorySegment buf;
        MemorySegment sealed;
        int next;

        @Setup(Level.Trial)
        public void setup() {
            AeadEngine e = AeadEngines.select(engine);
            CipherAlg alg = CipherAlg.valueOf(cipher);
            byte[] km = new byte[KeyMaterial.BLOCK_LENGTH];
            new Random(7).nextBytes(km);
            material = KeyMaterial.of(km);
            client = KeySlot.create(e, 0, alg, material, Role.CLIENT, 2048);
            server = KeySlot.create(e, 0, alg, material, Role.SERVER, 2048);
            KeySlots slots = new KeySlots();
            slots.install(KeySlots.Slot.PRIMARY, client);
            tx = slots.current();
            scratch = e.newScratch();
            arena = Arena.ofConfined();
            int len = 24 + size;
            buf = arena.allocate(len, 64);
            sealed = arena.allocate((long) RING * len, 64);
            Random r = new Random(3);
            for (int i = 0; i < RING; i++) {
                MemorySegment p = sealed.asSlice((long) i * len, len);
                for (int j = 24; j < len; j++) {
                    p.set(JAVA_BYTE, j, (byte) r.nextInt());
                }
                p.set(JAVA_BYTE, 24, (byte) 0x45); // an IPv4 packet, as the tunnel carries
                if (DataChannel.encrypt(tx, 1, scratch, p, 0, size) != Verdict.OK) {
                    throw new IllegalStateException("could not seal the ring");
                }
            }
        }

        /** Keeps the TX packet-id far from its end however long the run. */
        @Setup(Level.Iteration)
        public void resetCounter() {
            client.setNextTxPacketId(RING + 1);
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
            server.close();
            material.close();
            scratch.close();
            arena.close();
        }
    }

    @Benchmark
    public Verdict encrypt(Codec c) {
        return DataChannel.encrypt(c.tx, 1, c.scratch, c.buf, 0, c.size);
    }

    @Benchmark
    public Verdict decrypt(Codec c) {
        int len = 24 + c.size;
        int i = c.next;
        c.next = (i + 1) & (RING - 1);
        MemorySegment.copy(c.sealed, (long) i * len, c.buf, 0, len);
        return DataChannel.open(c.server, c.scratch, c.buf, 0, len);
    }
}

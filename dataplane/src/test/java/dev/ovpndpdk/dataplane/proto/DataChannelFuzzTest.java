package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A million random and mutated datagrams through the receive path: no exception escapes,
 * every one gets a verdict, and no mutated packet is ever delivered.
 */
class DataChannelFuzzTest {
    private static final int ITERATIONS = 1_000_000;

    @Test
    void randomAndMutatedPacketsAlwaysGetAVerdict() {
        List<AeadEngine> engines = TestEngines.all();
        AeadEngine engine = engines.get(engines.size() - 1); // ipsec-mb where present: 10x faster
        Random r = new Random(0xC0FFEE);
        byte[] kmBytes = new byte[256];
        r.nextBytes(kmBytes);
        Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
        try (Arena arena = Arena.ofConfined();
             KeyMaterial km = KeyMaterial.of(kmBytes);
             KeySlot c0 = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.CLIENT, 2048);
             KeySlot c1 = KeySlot.create(engine, 1, CipherAlg.CHACHA20_POLY1305, km, Role.CLIENT, 2048);
             KeySlot s0 = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.SERVER, 2048);
             KeySlot s1 = KeySlot.create(engine, 1, CipherAlg.CHACHA20_POLY1305, km, Role.SERVER, 2048);
             AeadScratch s = engine.newScratch()) {
            KeySlots server = new KeySlots();
            server.install(KeySlots.Slot.PRIMARY, s0);
            server.install(KeySlots.Slot.SECONDARY, s1);

            // A pool of genuine packets to mutate.
            int pool = 64;
            byte[][] genuine = new byte[pool][];
            MemorySegment work = arena.allocate(2048, 64);
            for (int i = 0; i < pool; i++) {
                int len = 1 + r.nextInt(300);
                for (int j = 0; j < len; j++) {
                    work.set(ValueLayout.JAVA_BYTE, 24 + j, (byte) r.nextInt());
                }
                work.set(ValueLayout.JAVA_BYTE, 24, (byte) 0x45);
                DataChannel.seal(i % 2 == 0 ? c0 : c1, 1, 1 + i, s, work, 0, len);
                genuine[i] = work.asSlice(0, len + 24).toArray(ValueLayout.JAVA_BYTE);
            }

            MemorySegment buf = arena.allocate(2048, 64);
            long now = 1;
            for (int it = 0; it < ITERATIONS; it++) {
                int len;
                boolean mutated = false;
                switch (r.nextInt(4)) {
                    case 0 -> { // random bytes, any length
                        len = r.nextInt(400);
                        for (int j = 0; j < len; j++) {
                            buf.set(ValueLayout.JAVA_BYTE, j, (byte) r.nextInt());
                        }
                    }
                    case 1 -> { // random bytes that look like P_DATA_V2
                        len = r.nextInt(400);
                        for (int j = 0; j < len; j++) {
                            buf.set(ValueLayout.JAVA_BYTE, j, (byte) r.nextInt());
                        }
                        if (len > 0) {
                            buf.set(ValueLayout.JAVA_BYTE, 0, (byte) (0x48 | r.nextInt(8)));
                        }
                    }
                    default -> { // a genuine packet with 1..3 bytes changed, maybe cut or padded
                        byte[] g = genuine[r.nextInt(pool)];
                        MemorySegment.copy(g, 0, buf, ValueLayout.JAVA_BYTE, 0, g.length);
                        len = g.length;
                        int flips = 1 + r.nextInt(3);
                        int first = r.nextInt(len);
                        for (int f = 0; f < flips; f++) {
                            int at = (first + 7 * f) % len; // distinct positions: flips never cancel
                            byte x = (byte) (1 + r.nextInt(255));
                            buf.set(ValueLayout.JAVA_BYTE, at, (byte) (buf.get(ValueLayout.JAVA_BYTE, at) ^ x));
                        }
                        int shape = r.nextInt(8);
                        if (shape == 0) {
                            len = r.nextInt(len + 1);
                        } else if (shape == 1) {
                            len = Math.min(2048, len + 1 + r.nextInt(16));
                        }
                        mutated = true;
                    }
                }
                int off = r.nextInt(16) == 0 ? r.nextInt(2048) : 0;
                int effLen = off == 0 ? len : Math.min(len, 2048 - off);
                // Every other packet through the overload the worker uses (header read by the caller).
                Verdict v = it % 2 == 0
                        ? DataChannel.decrypt(server.current(), s, buf, off, effLen, now++)
                        : DataChannel.decrypt(server.current(), s, buf, off, effLen, DataChannel.header(buf, off, effLen), now++);
                assertNotNull(v);
                if (mutated && off == 0) {
                    assertTrue(v != Verdict.OK && v != Verdict.PING && v != Verdict.OCC_EXIT,
                            "a mutated packet was accepted at iteration " + it);
                }
                seen.merge(v, 1, Integer::sum);
            }
        }
        int total = seen.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(ITERATIONS, total);
        assertTrue(seen.getOrDefault(Verdict.AUTH_FAILED, 0) > ITERATIONS / 4, "the crypto path was exercised: " + seen);
        System.out.println("fuzz verdicts (" + engine.name() + "): " + seen);
    }
}

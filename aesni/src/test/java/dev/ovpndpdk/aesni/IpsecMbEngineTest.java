package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the ipsec-mb engine promises beyond correct bytes: zeroing, checks, threads, no garbage. */
class IpsecMbEngineTest {

    private static final int AAD = 8;
    private static final int DATA = AAD + TestPackets.TAG;

    @BeforeAll
    static void libraryPresent() {
        assumeTrue(IpsecMbEngine.isAvailable(),
                () -> "intel-ipsec-mb not available, engine tests skipped: " + IpsecMbEngine.unavailableReason());
    }

    private static MemorySegment keyBytes(Arena arena, CipherAlg alg) {
        MemorySegment k = arena.allocate(alg.keyLength());
        for (int i = 0; i < k.byteSize(); i++) {
            k.set(JAVA_BYTE, i, (byte) (0xa0 + i));
        }
        return k;
    }

    @ParameterizedTest
    @EnumSource(CipherAlg.class)
    void closeZeroesTheNativeKeySchedule(CipherAlg alg) {
        try (Arena arena = Arena.ofConfined(); AeadScratch s = IpsecMbEngine.create().newScratch()) {
            MemorySegment raw = keyBytes(arena, alg);
            IpsecMbKey key = IpsecMbKey.create(alg, raw, arena, false);
            MemorySegment schedule = key.schedule();
            assertEquals(0, schedule.address() % 64, "64-byte aligned");
            // AES key expansion starts with the key itself; ChaCha's "schedule" is the key
            assertEquals(-1, schedule.asSlice(0, alg.keyLength() == 24 ? 16 : alg.keyLength())
                    .mismatch(raw.asSlice(0, alg.keyLength() == 24 ? 16 : alg.keyLength())), "schedule holds the key");
            MemorySegment zeros = arena.allocate(schedule.byteSize());
            assertNotEquals(-1, schedule.mismatch(zeros));

            key.close();
            assertEquals(-1, schedule.mismatch(zeros), "every byte of the schedule is zero after close()");
            key.close(); // idempotent
            MemorySegment p = arena.allocate(DATA + 32);
            assertThrows(IllegalStateException.class, () -> key.seal(s, p, 0, AAD, AAD, DATA, 32));
        }
    }

    @Test
    void closeFreesTheEngineOwnedKeyMemory() {
        try (Arena arena = Arena.ofConfined()) {
            IpsecMbKey key = (IpsecMbKey) IpsecMbEngine.create().newKey(CipherAlg.AES_256_GCM,
                    keyBytes(arena, CipherAlg.AES_256_GCM));
            assertTrue(key.schedule().scope().isAlive());
            key.close();
            assertFalse(key.schedule().scope().isAlive());
        }
    }

    @Test
    void heapBuffersAreRefused() {
        try (Arena arena = Arena.ofConfined();
             AeadScratch s = IpsecMbEngine.create().newScratch();
             AeadKey k = IpsecMbEngine.create().newKey(CipherAlg.AES_128_GCM, keyBytes(arena, CipherAlg.AES_128_GCM))) {
            MemorySegment heap = MemorySegment.ofArray(new byte[DATA + 64]);
            assertThrows(IllegalArgumentException.class, () -> k.seal(s, heap, 0, AAD, AAD, DATA, 64));
            assertThrows(IllegalArgumentException.class, () -> k.open(s, heap, 0, AAD, AAD, DATA, 64));
        }
    }

    @Test
    void regionsOutsideTheBufferAreRefusedAndBadLengthsDoNotOpen() {
        try (Arena arena = Arena.ofConfined();
             AeadScratch s = IpsecMbEngine.create().newScratch();
             AeadKey k = IpsecMbEngine.create().newKey(CipherAlg.CHACHA20_POLY1305,
                     keyBytes(arena, CipherAlg.CHACHA20_POLY1305))) {
            MemorySegment p = arena.allocate(DATA + 64);
            assertThrows(IndexOutOfBoundsException.class, () -> k.seal(s, p, 0, AAD, AAD, DATA, 65));
            assertThrows(IndexOutOfBoundsException.class, () -> k.seal(s, p, 0, AAD, DATA + 60, DATA, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> k.open(s, p, -1, AAD, AAD, DATA, 64));
            assertThrows(IllegalArgumentException.class,
                    () -> k.seal(s, p, 0, AAD, AAD, DATA, JdkAeadEngine.MAX_DATA + 1));
            assertFalse(k.open(s, p, 0, AAD, AAD, DATA, JdkAeadEngine.MAX_DATA + 1));
            assertFalse(k.open(s, p, 0, AAD, AAD, DATA, -1));
        }
    }

    /** Two threads, one key, a scratch each: every packet must come out as sealed alone. */
    @ParameterizedTest
    @EnumSource(value = CipherAlg.class, names = {"AES_256_GCM", "CHACHA20_POLY1305"})
    void oneKeyServesThreadsWithTheirOwnScratch(CipherAlg alg) throws Exception {
        IpsecMbEngine engine = IpsecMbEngine.create();
        int len = 1000;
        try (Arena arena = Arena.ofShared(); AeadKey k = engine.newKey(alg, keyBytes(arena, alg))) {
            byte[] expected;
            try (AeadScratch s = engine.newScratch(); Arena a = Arena.ofConfined()) {
                MemorySegment p = a.allocate(DATA + len);
                s.nonce().set(JAVA_INT, 0, 7);
                k.seal(s, p, 0, AAD, AAD, DATA, len);
                expected = p.toArray(JAVA_BYTE);
            }
            Callable<Boolean> worker = () -> {
                try (AeadScratch s = engine.newScratch(); Arena a = Arena.ofConfined()) {
                    MemorySegment p = a.allocate(DATA + len);
                    for (int i = 0; i < 5000; i++) {
                        p.fill((byte) 0);
                        s.nonce().fill((byte) 0);
                        s.nonce().set(JAVA_INT, 0, 7);
                        k.seal(s, p, 0, AAD, AAD, DATA, len);
                        assertArrayEquals(expected, p.toArray(JAVA_BYTE));
                        assertTrue(k.open(s, p, 0, AAD, AAD, DATA, len));
                    }
                    return true;
                }
            };
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Boolean>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    done.add(pool.submit(worker));
                }
                for (Future<Boolean> f : done) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Fast-path rule 2: after warm-up, seal and open allocate nothing. Counted with the JVM's
     * per-thread allocation counter, which is exact (bytes of TLAB handed out to this thread).
     */
    @ParameterizedTest
    @EnumSource(CipherAlg.class)
    void sealAndOpenAllocateNothing(CipherAlg alg) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined();
             AeadScratch s = IpsecMbEngine.create().newScratch();
             AeadKey k = IpsecMbEngine.create().newKey(alg, keyBytes(arena, alg))) {
            MemorySegment p = arena.allocate(DATA + 256);
            for (int i = 0; i < 50_000; i++) {
                roundTrip(k, s, p, i);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            boolean ok = true;
            for (int i = 0; i < 10_000; i++) {
                ok &= roundTrip(k, s, p, i);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(ok);
            // One object per operation would be >= 160 KB here. A small constant covers one-off
            // JIT artefacts (a deoptimisation on a loaded machine allocated 1000 B once).
            assertTrue(allocated < 16 * 1024, allocated + " bytes allocated by 10000 seal+open");
        }
    }

    private static boolean roundTrip(AeadKey k, AeadScratch s, MemorySegment p, int i) {
        s.nonce().set(JAVA_INT, 0, i);
        k.seal(s, p, 0, AAD, AAD, DATA, 256);
        return k.open(s, p, 0, AAD, AAD, DATA, 256);
    }

    @Test
    void describesLibraryAndArchitecture() {
        IpsecMbEngine e = IpsecMbEngine.create();
        assertEquals("aesni", e.name());
        assertTrue(e.describe().startsWith("intel-ipsec-mb 1."), e.describe());
        for (CipherAlg alg : CipherAlg.values()) {
            assertTrue(e.supports(alg));
        }
        assertThrows(IllegalArgumentException.class,
                () -> e.newKey(CipherAlg.AES_256_GCM, MemorySegment.ofArray(new byte[16])));
    }
}

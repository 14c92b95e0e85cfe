package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.bindings.dpdk.RteLcore;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMempool;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;
import dev.ovpndpdk.qat.cryptodev.DataPackets.Packet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cryptodev engine on DPDK's software PMDs, against intel-ipsec-mb called directly: every
 * byte of every sealed packet, auth failures, a full queue, order, the scheduler's own core,
 * drain and close. EAL is started once (bare, no hugepages) by the first engine and stays up.
 */
@Timeout(60)
class CryptodevEngineTest {
    private static final int PACKETS = 24;
    private static final int BURST = 32;
    private static final List<CipherAlg> GCM = List.of(CipherAlg.AES_128_GCM, CipherAlg.AES_192_GCM, CipherAlg.AES_256_GCM);

    private static long mbufPool;
    private static IpsecMbEngine ipsecMb;
    /** An EAL lcore other than the main one, for the scheduler's worker core; -1 on one CPU. */
    private static int workerLcore = -1;

    @BeforeAll
    static void startEal() throws Exception {
        ipsecMb = CryptodevTestRig.startEal();
        workerLcore = CryptodevTestRig.secondLcore();
        mbufPool = RteMbuf.rte_pktmbuf_pool_create("ovd_test_pkts", 1023, 0, 0, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE,
                RteLcore.SOCKET_ID_ANY);
        assertTrue(mbufPool != 0, "test mbuf pool");
    }

    @AfterAll
    static void freePool() {
        if (mbufPool != 0) {
            assertEquals(0, RteMempool.rte_mempool_in_use_count(mbufPool), "test mbufs leaked");
            RteMempool.rte_mempool_free(mbufPool);
        }
    }

    static String scheduler() {
        return "crypto_scheduler,worker=crypto_aesni_mb1,mode=multi-core,corelist=" + workerLcore;
    }

    static Stream<String> pmds() {
        return Stream.of("crypto_aesni_gcm0", "crypto_aesni_mb0", "crypto_chacha20_poly1305", "crypto_openssl0", "scheduler");
    }

    private static CryptodevEngine open(String pmd, int queues) {
        if (pmd.equals("scheduler")) {
            assumeTrue(workerLcore >= 0, "the multi-core scheduler needs a second CPU");
            return CryptodevEngine.open(scheduler(), queues);
        }
        return CryptodevEngine.open(pmd, queues);
    }

    /** What DPDK 22.11's PMDs do (async-crypto.md §2.4); the scheduler does what its worker does. */
    private static Set<CipherAlg> expected(String pmd) {
        return switch (pmd) {
            case "crypto_aesni_gcm0", "crypto_openssl0" -> EnumSet.copyOf(GCM);
            case "crypto_chacha20_poly1305" -> EnumSet.of(CipherAlg.CHACHA20_POLY1305);
            default -> EnumSet.allOf(CipherAlg.class);
        };
    }

    @ParameterizedTest
    @MethodSource("pmds")
    void supportsTellsTheTruth(String pmd) {
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofConfined()) {
            for (CipherAlg alg : CipherAlg.values()) {
                assertEquals(expected(pmd).contains(alg), e.supports(alg), pmd + " " + alg + ": " + e.describe());
                if (!e.supports(alg)) {
                    MemorySegment key = a.allocate(alg.keyLength());
                    assertThrows(IllegalArgumentException.class, () -> e.newKey(alg, key, a.allocate(8), true));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("pmds")
    void sealedAndOpenedBytesMatchIpsecMb(String pmd) {
        Random rnd = new Random(pmd.hashCode());
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofShared(); AeadScratch scratch = ipsecMb.newScratch()) {
            CryptoQueue q = e.newQueue(0, 256);
            for (CipherAlg alg : CipherAlg.values()) {
                if (!e.supports(alg)) {
                    continue;
                }
                MemorySegment keyBytes = DataPackets.bytes(a, rnd, alg.keyLength());
                MemorySegment tail = DataPackets.bytes(a, rnd, 8);
                try (AsyncAeadKey seal = e.newKey(alg, keyBytes, tail, true);
                     AsyncAeadKey open = e.newKey(alg, keyBytes, tail, false);
                     AeadKey reference = ipsecMb.newKey(alg, keyBytes)) {
                    for (long pool : new long[] {mbufPool, 0}) {
                        crossCheck(q, seal, open, reference, scratch, tail, pool, rnd, a, pmd + " " + alg
                                + (pool != 0 ? " in mbufs" : " in plain memory"));
                    }
                }
            }
            assertEquals(0, q.failed());
            assertEquals(q.submitted(), q.completed());
        }
    }

    /** Seal with cryptodev and with ipsec-mb: same bytes; open each with the other: the plaintext. */
    private static void crossCheck(CryptoQueue q, AsyncAeadKey seal, AsyncAeadKey open, AeadKey reference, AeadScratch scratch,
                                   MemorySegment tail, long pool, Random rnd, Arena a, String what) {
        List<Packet> ps = new ArrayList<>();
        List<byte[]> plain = new ArrayList<>();
        for (int i = 0; i < PACKETS; i++) {
            int len = i == 0 ? 0 : i == 1 ? 1500 : rnd.nextInt(1501);
            Packet p = DataPackets.random(rnd, len, pool, a);
            ps.add(p);
            plain.add(p.snapshot());
        }
        try {
            assertStatus(CryptoCompletions.OK, run(q, ps, seal), what + " seal");
            for (int i = 0; i < PACKETS; i++) {
                Packet p = ps.get(i);
                MemorySegment ref = a.allocate(p.bytes().byteSize()).copyFrom(MemorySegment.ofArray(plain.get(i)));
                nonce(scratch, ref, tail);
                reference.seal(scratch, ref, 0, 8, 8, DataPackets.HEADER, p.length());
                assertArrayEquals(ref.toArray(JAVA_BYTE), p.snapshot(), what + ": packet " + i + " of " + p.length() + " bytes");
                // ipsec-mb opens what cryptodev sealed
                nonce(scratch, p.bytes(), tail);
                MemorySegment copy = a.allocate(p.bytes().byteSize()).copyFrom(p.bytes());
                assertTrue(reference.open(scratch, copy, 0, 8, 8, DataPackets.HEADER, p.length()), what + " ipsec-mb open " + i);
                assertArrayEquals(Arrays.copyOfRange(plain.get(i), DataPackets.HEADER, plain.get(i).length),
                        copy.asSlice(DataPackets.HEADER).toArray(JAVA_BYTE));
                p.restore(ref.toArray(JAVA_BYTE)); // cryptodev opens what ipsec-mb sealed
            }
            assertStatus(CryptoCompletions.OK, run(q, ps, open), what + " open");
            for (int i = 0; i < PACKETS; i++) {
                byte[] got = ps.get(i).snapshot();
                assertArrayEquals(Arrays.copyOfRange(plain.get(i), DataPackets.HEADER, got.length),
                        Arrays.copyOfRange(got, DataPackets.HEADER, got.length), what + ": plaintext " + i);
            }
        } finally {
            free(ps);
        }
    }

    private static void nonce(AeadScratch scratch, MemorySegment packet, MemorySegment tail) {
        MemorySegment.copy(packet, 4, scratch.nonce(), 0, 4);
        MemorySegment.copy(tail, 0, scratch.nonce(), 4, 8);
    }

    private static void assertStatus(byte expected, byte[] status, String what) {
        for (int i = 0; i < status.length; i++) {
            assertEquals(expected, status[i], what + ": request " + i);
        }
    }

    private static void free(List<Packet> ps) {
        for (Packet p : ps) {
            if (p.mbuf() != 0) {
                RteMbuf.rte_pktmbuf_free(p.mbuf());
            }
        }
    }

    /**
     * Submits every packet under {@code key} in bursts and polls until all are back, checking
     * that completions come in submit order and that nothing comes back twice; the statuses.
     */
    private static byte[] run(CryptoQueue q, List<Packet> ps, AsyncAeadKey key) {
        return run(q, ps, key, BURST, BURST);
    }

    private static byte[] run(CryptoQueue q, List<Packet> ps, AsyncAeadKey key, int burst, int pollCapacity) {
        CryptoRequests r = new CryptoRequests(burst);
        CryptoCompletions c = new CryptoCompletions(pollCapacity);
        byte[] status = new byte[ps.size()];
        int next = 0;
        int done = 0;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (done < ps.size()) {
            int n = 0;
            while (n < burst && next + n < ps.size()) {
                Packet p = ps.get(next + n);
                r.key[n] = key;
                r.header[n] = p.header();
                r.length[n] = p.length();
                r.mbuf[n] = p.mbuf();
                r.cookie[n] = next + n;
                n++;
            }
            next += q.submit(r, n);
            int got = q.poll(c);
            for (int i = 0; i < got; i++) {
                assertEquals(done + i, c.cookie[i], "completions in submit order");
                status[c.cookie[i]] = c.status[i];
            }
            done += got;
            assertTrue(System.nanoTime() < deadline, "requests did not complete: " + done + " of " + ps.size());
        }
        r.clearKeys(burst);
        return status;
    }

    @ParameterizedTest
    @MethodSource("pmds")
    void tamperedTagCiphertextOrAadFailsAuthentication(String pmd) {
        Random rnd = new Random(7);
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofShared(); AeadScratch scratch = ipsecMb.newScratch()) {
            CipherAlg alg = e.supports(CipherAlg.AES_256_GCM) ? CipherAlg.AES_256_GCM : CipherAlg.CHACHA20_POLY1305;
            MemorySegment keyBytes = DataPackets.bytes(a, rnd, alg.keyLength());
            MemorySegment tail = DataPackets.bytes(a, rnd, 8);
            CryptoQueue q = e.newQueue(0, 64);
            List<Packet> ps = new ArrayList<>();
            try (AsyncAeadKey open = e.newKey(alg, keyBytes, tail, false); AeadKey reference = ipsecMb.newKey(alg, keyBytes)) {
                int[] flip = {-1, 8 + 3, DataPackets.HEADER + 17, 1}; // nothing, the tag, the ciphertext, the AAD (peer-id)
                for (int f : flip) {
                    Packet p = DataPackets.random(rnd, 100, mbufPool, a);
                    nonce(scratch, p.bytes(), tail);
                    reference.seal(scratch, p.bytes(), 0, 8, 8, DataPackets.HEADER, p.length());
                    if (f >= 0) {
                        p.bytes().set(JAVA_BYTE, f, (byte) (p.bytes().get(JAVA_BYTE, f) ^ 0x10));
                    }
                    ps.add(p);
                }
                byte[] status = run(q, ps, open);
                assertArrayEquals(new byte[] {CryptoCompletions.OK, CryptoCompletions.AUTH_FAILED, CryptoCompletions.AUTH_FAILED,
                        CryptoCompletions.AUTH_FAILED}, status, pmd + " " + alg);
                assertEquals(0, q.failed(), "an auth failure is not an engine error");
            } finally {
                free(ps);
            }
        }
    }

    @Test
    void fullQueueCountsBusyAndLosesNothing() {
        Random rnd = new Random(3);
        try (CryptodevEngine e = CryptodevEngine.open("crypto_aesni_mb0", 1); Arena a = Arena.ofShared()) {
            CryptoQueue q = e.newQueue(0, 8);
            List<Packet> ps = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ps.add(DataPackets.random(rnd, 64, 0, a));
            }
            try (AsyncAeadKey seal = e.newKey(CipherAlg.AES_256_GCM, DataPackets.bytes(a, rnd, 32), DataPackets.bytes(a, rnd, 8), true)) {
                CryptoRequests r = new CryptoRequests(20);
                for (int i = 0; i < 20; i++) {
                    r.key[i] = seal;
                    r.header[i] = ps.get(i).header();
                    r.length[i] = 64;
                    r.cookie[i] = i;
                }
                assertEquals(8, q.submit(r, 20), "a queue of depth 8 takes 8");
                assertEquals(12, q.busy());
                assertEquals(0, q.submit(r, 1), "and nothing more until it is polled");
                assertEquals(13, q.busy());
                assertEquals(8, q.inFlight());
                CryptoCompletions c = new CryptoCompletions(32);
                int back = 0;
                while (back < 8) {
                    int got = q.poll(c);
                    for (int i = 0; i < got; i++) {
                        assertEquals(back + i, c.cookie[i]);
                        assertEquals(CryptoCompletions.OK, c.status[i]);
                    }
                    back += got;
                }
                // The 12 refused are still the caller's, untouched: submit them now, through the depth-8 window.
                assertStatus(CryptoCompletions.OK, run(q, ps.subList(8, 20), seal, 12, 5), "the refused ones, later");
                assertEquals(20, q.submitted());
                assertEquals(20, q.completed());
                assertEquals(13 + 4, q.busy(), "the later burst of 12 met the full queue once");
                for (Packet p : ps) {
                    assertTrue(p.bytes().asSlice(8, 16).mismatch(MemorySegment.ofArray(new byte[16])) >= 0, "every packet sealed");
                }
                assertEquals(0, q.inFlight());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("orderedPmds")
    void completionsComeInSubmitOrderAcrossBurstsInFlight(String pmd) {
        Random rnd = new Random(5);
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofShared()) {
            CryptodevQueue q = (CryptodevQueue) e.newQueue(0, 512);
            CipherAlg alg = e.supports(CipherAlg.AES_128_GCM) ? CipherAlg.AES_128_GCM : CipherAlg.CHACHA20_POLY1305;
            try (AsyncAeadKey seal = e.newKey(alg, DataPackets.bytes(a, rnd, alg.keyLength()), DataPackets.bytes(a, rnd, 8), true)) {
                CryptoRequests r = new CryptoRequests(BURST);
                int total = 0;
                for (int b = 0; b < 6; b++) { // six bursts in flight before the first poll
                    for (int i = 0; i < BURST; i++) {
                        r.key[i] = seal;
                        r.header[i] = DataPackets.random(rnd, rnd.nextInt(1400), 0, a).header();
                        r.length[i] = 0;
                        r.cookie[i] = total + i;
                    }
                    assertEquals(BURST, q.submit(r, BURST));
                    total += BURST;
                }
                CryptoCompletions c = new CryptoCompletions(7);
                int seen = 0;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (seen < total) {
                    int got = q.poll(c);
                    for (int i = 0; i < got; i++) {
                        assertEquals(seen + i, c.cookie[i], pmd + ": completion order");
                    }
                    seen += got;
                    assertTrue(System.nanoTime() < deadline, pmd + ": " + seen + " of " + total + " completed");
                }
                System.out.println(pmd + ": " + q.reordered() + " of " + total + " returned out of order by the device");
            }
        }
    }

    static Stream<String> orderedPmds() {
        return Stream.of("crypto_aesni_gcm0", "crypto_openssl0", "scheduler");
    }

    /**
     * The multi-core scheduler does the crypto on its worker lcore: the tag appears in the packet
     * without this thread calling dequeue. The ipsec-mb PMDs do it inside dequeue, so there it
     * does not (async-crypto.md §0.4).
     */
    @Test
    void onlyTheMultiCoreSchedulerSealsWithoutBeingPolled() throws InterruptedException {
        assertEquals(true, sealsUnpolled("scheduler"), "multi-core scheduler");
        assertEquals(false, sealsUnpolled("crypto_aesni_gcm0"), "aesni_gcm seals inside dequeue");
    }

    private static boolean sealsUnpolled(String pmd) throws InterruptedException {
        Random rnd = new Random(11);
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofShared()) {
            CryptoQueue q = e.newQueue(0, 64);
            Packet p = DataPackets.random(rnd, 1000, 0, a);
            try (AsyncAeadKey seal = e.newKey(CipherAlg.AES_256_GCM, DataPackets.bytes(a, rnd, 32), DataPackets.bytes(a, rnd, 8), true)) {
                CryptoRequests r = new CryptoRequests(1);
                r.key[0] = seal;
                r.header[0] = p.header();
                r.length[0] = p.length();
                assertEquals(1, q.submit(r, 1));
                boolean sealed = false;
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (!sealed && System.nanoTime() < deadline) {
                    sealed = p.bytes().asSlice(8, 16).mismatch(MemorySegment.ofArray(new byte[16])) >= 0;
                    Thread.sleep(pmd.equals("scheduler") ? 1 : 100);
                }
                CryptoCompletions c = new CryptoCompletions(1);
                while (q.poll(c) == 0) {
                    Thread.onSpinWait();
                }
                assertEquals(CryptoCompletions.OK, c.status[0]);
                return sealed;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("drainPmds")
    void drainDiscardsWhatIsInFlightAndTheQueueGoesOn(String pmd) {
        Random rnd = new Random(13);
        try (CryptodevEngine e = open(pmd, 1); Arena a = Arena.ofShared()) {
            CryptoQueue q = e.newQueue(0, 256);
            try (AsyncAeadKey seal = e.newKey(CipherAlg.AES_256_GCM, DataPackets.bytes(a, rnd, 32), DataPackets.bytes(a, rnd, 8), true)) {
                CryptoRequests r = new CryptoRequests(100);
                for (int i = 0; i < 100; i++) {
                    r.key[i] = seal;
                    r.header[i] = DataPackets.random(rnd, 512, 0, a).header();
                    r.length[i] = 512;
                }
                assertEquals(100, q.submit(r, 100));
                assertEquals(100, q.drain(new CryptoCompletions(16)));
                assertEquals(0, q.inFlight());
                assertEquals(100, q.completed());
                assertEquals(10, q.submit(r, 10), "usable after a drain");
                q.close(); // drains: the key's session may go only when nothing uses it (AsyncAeadKey)
                assertEquals(0, q.inFlight());
                assertEquals(0, e.opsInUse());
            }
        }
    }

    static Stream<String> drainPmds() {
        return Stream.of("crypto_aesni_mb0", "scheduler");
    }

    @ParameterizedTest
    @MethodSource("pmds")
    void closeGivesSessionsAndOpsBack(String pmd) {
        Random rnd = new Random(17);
        try (CryptodevEngine e = open(pmd, 2); Arena a = Arena.ofShared()) {
            assertEquals(0, e.sessionsInUse());
            assertEquals(0, e.opsInUse());
            CipherAlg alg = e.supports(CipherAlg.AES_256_GCM) ? CipherAlg.AES_256_GCM : CipherAlg.CHACHA20_POLY1305;
            List<AsyncAeadKey> keys = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                keys.add(e.newKey(alg, DataPackets.bytes(a, rnd, alg.keyLength()), DataPackets.bytes(a, rnd, 8), i % 2 == 0));
            }
            assertTrue(e.sessionsInUse() >= 8, "sessions in use: " + e.sessionsInUse());
            CryptoQueue q0 = e.newQueue(0, 100);
            CryptoQueue q1 = e.newQueue(1, 50);
            assertEquals(150, e.opsInUse());
            assertThrows(IllegalArgumentException.class, () -> e.newQueue(1, 10), "one queue per worker");
            assertThrows(IllegalArgumentException.class, () -> e.newQueue(2, 10), "two queue pairs");
            q0.close();
            q1.close();
            q1.close();
            assertEquals(0, e.opsInUse());
            keys.forEach(AsyncAeadKey::close);
            keys.getFirst().close();
            assertEquals(0, e.sessionsInUse());
        }
    }

    @Test
    void twoWorkersSealOnTheirOwnQueuePairsAtOnce() throws Exception {
        Random rnd = new Random(19);
        try (CryptodevEngine e = CryptodevEngine.open("crypto_aesni_gcm0", 2); Arena a = Arena.ofShared();
             AsyncAeadKey seal = e.newKey(CipherAlg.AES_256_GCM, DataPackets.bytes(a, rnd, 32), DataPackets.bytes(a, rnd, 8), true)) {
            List<List<Packet>> work = List.of(new ArrayList<>(), new ArrayList<>());
            for (List<Packet> w : work) {
                for (int i = 0; i < 300; i++) {
                    w.add(DataPackets.random(rnd, rnd.nextInt(1500), 0, a));
                }
            }
            CryptoQueue[] qs = {e.newQueue(0, 128), e.newQueue(1, 128)};
            Thread[] ts = new Thread[2];
            Throwable[] failure = new Throwable[2];
            for (int t = 0; t < 2; t++) {
                int w = t;
                ts[t] = new Thread(() -> {
                    try {
                        assertStatus(CryptoCompletions.OK, run(qs[w], work.get(w), seal), "worker " + w);
                    } catch (Throwable x) {
                        failure[w] = x;
                    }
                });
                ts[t].start();
            }
            for (int t = 0; t < 2; t++) {
                ts[t].join();
                if (failure[t] != null) {
                    throw new AssertionError("worker " + t, failure[t]);
                }
                assertEquals(300, qs[t].completed());
            }
        }
    }

    @Test
    void anUnknownDeviceIsOneClearLine() {
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> CryptodevEngine.open("crypto_nosuchpmd0", 1));
        assertTrue(x.getMessage().contains("crypto_nosuchpmd0"), x.getMessage());
        assertFalse(x.getMessage().contains("\n"), x.getMessage());
        System.out.println("unknown device: " + x.getMessage());
    }
}

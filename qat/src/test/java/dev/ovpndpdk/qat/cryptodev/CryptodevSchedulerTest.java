package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoRequests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The multi-core scheduler as the daemon uses it: one queue pair per worker, each worker a Java
 * thread (not an EAL lcore) that submits and polls only its own queue, both at once, with
 * sealing and opening mixed in every burst, several bursts in flight, and keys made while the
 * other worker's traffic flows. Every byte is checked against intel-ipsec-mb, and every wait
 * is bounded. In its own class: a JVM (and EAL) of its own, so the scheduler's worker lcore is
 * free for this device.
 */
@Timeout(120)
class CryptodevSchedulerTest {
    private static final int WORKERS = 2;
    private static final int MAX_PACKETS = 160;
    private static final int BURST = 32;
    private static final int DEPTH = 256;
    private static final long ROUND_NANOS = 10_000_000_000L;

    private static IpsecMbEngine ipsecMb;
    private static int workerLcore = -1;

    @BeforeAll
    static void startEal() throws Exception {
        ipsecMb = CryptodevTestRig.startEal();
        workerLcore = CryptodevTestRig.secondLcore();
    }

    /** The daemon's --crypto for the e2e variant, with this machine's second CPU. */
    private static String scheduler() {
        return "crypto_scheduler,worker=crypto_aesni_gcm1,mode=multi-core,corelist=" + workerLcore;
    }

    /**
     * Full-size and small packets. Before the engine enabled the scheduler's ordering, queue
     * pair 1 dequeued queue pair 0's completions: both stalled within a few rounds, with
     * completions "reordered" that were another queue's.
     */
    @Test
    void twoWorkersOnTheMultiCoreSchedulerGetBackExactlyTheirOwnPackets() throws Exception {
        twoWorkers(40, 1500);
    }

    /**
     * Small packets at the highest submit rate, where the two workers' enqueues overlap most:
     * without the engine's enqueue lock they race on the scheduler's single-producer ring and
     * requests are lost (a stall in about one run of three here).
     */
    @Test
    void twoWorkersSubmittingSmallPacketsAtOnceLoseNothing() throws Exception {
        twoWorkers(1500, 64);
    }

    private static void twoWorkers(int rounds, int maxData) throws Exception {
        assumeTrue(workerLcore >= 0, "the multi-core scheduler needs a second CPU");
        try (Arena arena = Arena.ofShared(); CryptodevEngine e = CryptodevEngine.open(scheduler(), WORKERS)) {
            CryptodevQueue[] qs = new CryptodevQueue[WORKERS];
            Thread[] ts = new Thread[WORKERS];
            Throwable[] failure = new Throwable[WORKERS];
            for (int w = 0; w < WORKERS; w++) {
                qs[w] = (CryptodevQueue) e.newQueue(w, DEPTH);
                int worker = w;
                ts[w] = new Thread(() -> {
                    try (AeadScratch scratch = ipsecMb.newScratch()) {
                        Traffic t = new Traffic(e, qs[worker], arena, scratch, new Random(31 * worker + 7), maxData,
                                "worker " + worker);
                        for (int round = 0; round < rounds; round++) {
                            t.round(round);
                        }
                    } catch (Throwable x) {
                        failure[worker] = x;
                    }
                }, "crypto-worker-" + w);
            }
            for (Thread t : ts) {
                t.start();
            }
            for (int w = 0; w < WORKERS; w++) {
                ts[w].join();
                if (failure[w] != null) {
                    throw new AssertionError("worker " + w + ": " + failure[w].getMessage() + " (queue 0: " + counts(qs[0])
                            + "; queue 1: " + counts(qs[1]) + ")", failure[w]);
                }
            }
            for (CryptodevQueue q : qs) {
                assertEquals(q.submitted(), q.completed(), counts(q));
                assertEquals(0, q.inFlight());
                assertEquals(0, q.failed());
                assertEquals(0, q.reordered(), "each queue pair gets its own completions, in order");
                System.out.println("scheduler queue " + q.queuePair() + ": " + counts(q));
            }
        }
    }

    private static String counts(CryptodevQueue q) {
        return q.submitted() + " submitted, " + q.completed() + " completed, " + q.inFlight() + " in flight, " + q.busy()
                + " busy, " + q.failed() + " failed, " + q.reordered() + " reordered";
    }

    /** One worker's packets: a slab of buffers reused each round, only after all came back. */
    private static final class Traffic {
        private final CryptodevEngine engine;
        private final CryptodevQueue q;
        private final AeadScratch scratch;
        private final Random rnd;
        private final String who;
        private final MemorySegment[] buf = new MemorySegment[MAX_PACKETS];
        private final byte[][] expected = new byte[MAX_PACKETS][];
        private final boolean[] sealing = new boolean[MAX_PACKETS];
        private final int[] length = new int[MAX_PACKETS];
        private final CryptoRequests r = new CryptoRequests(BURST);
        private final CryptoCompletions c = new CryptoCompletions(BURST);
        private final int maxData;

        Traffic(CryptodevEngine engine, CryptodevQueue q, Arena arena, AeadScratch scratch, Random rnd, int maxData,
                String who) {
            this.engine = engine;
            this.maxData = maxData;
            this.q = q;
            this.scratch = scratch;
            this.rnd = rnd;
            this.who = who;
            for (int i = 0; i < MAX_PACKETS; i++) {
                buf[i] = arena.allocate(DataPackets.HEADER + maxData, 8);
            }
        }

        /** New keys, packets to seal and to open mixed, all submitted and checked; then the keys go. */
        void round(int round) {
            CipherAlg alg = CipherAlg.values()[rnd.nextInt(3)]; // the three GCM sizes: what aesni_gcm does
            assertTrue(alg.isAesGcm());
            byte[] keyBytes = new byte[alg.keyLength()];
            byte[] tailBytes = new byte[8];
            rnd.nextBytes(keyBytes);
            rnd.nextBytes(tailBytes);
            MemorySegment key = MemorySegment.ofArray(keyBytes);
            MemorySegment tail = MemorySegment.ofArray(tailBytes);
            int n = 1 + rnd.nextInt(MAX_PACKETS);
            try (Arena keyArena = Arena.ofConfined(); AeadKey reference = ipsecMb.newKey(alg, keyArena.allocate(key.byteSize()).copyFrom(key))) {
                MemorySegment nativeKey = keyArena.allocate(key.byteSize()).copyFrom(key);
                MemorySegment nativeTail = keyArena.allocate(8).copyFrom(tail);
                AsyncAeadKey seal = engine.newKey(alg, nativeKey, nativeTail, true);
                AsyncAeadKey open = engine.newKey(alg, nativeKey, nativeTail, false);
                try {
                    for (int i = 0; i < n; i++) {
                        prepare(i, reference, nativeTail);
                    }
                    byte[] status = run(n, seal, open, round);
                    for (int i = 0; i < n; i++) {
                        String what = who + " round " + round + " packet " + i + " (" + (sealing[i] ? "seal" : "open") + ", "
                                + length[i] + " bytes)";
                        assertEquals(CryptoCompletions.OK, status[i], what + ": status");
                        byte[] got = buf[i].asSlice(0, DataPackets.HEADER + length[i]).toArray(JAVA_BYTE);
                        if (sealing[i]) {
                            assertArrayEquals(expected[i], got, what);
                        } else {
                            assertArrayEquals(Arrays.copyOfRange(expected[i], DataPackets.HEADER, expected[i].length),
                                    Arrays.copyOfRange(got, DataPackets.HEADER, got.length), what);
                        }
                    }
                } finally {
                    // Only after every request under them came back (or the round failed: then the
                    // engine's close drains first).
                    if (q.inFlight() == 0) {
                        seal.close();
                        open.close();
                    }
                }
            }
        }

        /** Packet i: random header and data; to seal (expected: ipsec-mb's seal) or to open (sealed by ipsec-mb). */
        private void prepare(int i, AeadKey reference, MemorySegment tail) {
            int len = rnd.nextInt(8) == 0 ? rnd.nextInt(Math.min(64, maxData)) : rnd.nextInt(maxData + 1);
            int total = DataPackets.HEADER + len;
            byte[] b = new byte[total];
            rnd.nextBytes(b);
            b[0] = (byte) (9 << 3);
            Arrays.fill(b, 8, DataPackets.HEADER, (byte) 0);
            MemorySegment p = buf[i].asSlice(0, total);
            MemorySegment.copy(b, 0, p, JAVA_BYTE, 0, total);
            length[i] = len;
            sealing[i] = rnd.nextBoolean();
            MemorySegment.copy(p, 4, scratch.nonce(), 0, 4);
            MemorySegment.copy(tail, 0, scratch.nonce(), 4, 8);
            if (sealing[i]) {
                MemorySegment ref = MemorySegment.ofArray(b.clone());
                MemorySegment nativeRef = Arena.ofAuto().allocate(total).copyFrom(ref);
                reference.seal(scratch, nativeRef, 0, 8, 8, DataPackets.HEADER, len);
                expected[i] = nativeRef.toArray(JAVA_BYTE);
            } else {
                expected[i] = b; // the plaintext
                reference.seal(scratch, p, 0, 8, 8, DataPackets.HEADER, len);
            }
        }

        /**
         * Submits packets 0..n-1 in bursts of random size, sealing and opening mixed, up to four
         * bursts ahead of the completions; polls until all are back, in submit order.
         */
        private byte[] run(int n, AsyncAeadKey seal, AsyncAeadKey open, int round) {
            byte[] status = new byte[n];
            int next = 0;
            int done = 0;
            long deadline = System.nanoTime() + ROUND_NANOS;
            while (done < n) {
                if (next < n && next - done < 4 * BURST) {
                    int k = Math.min(1 + rnd.nextInt(BURST), n - next);
                    for (int j = 0; j < k; j++) {
                        int i = next + j;
                        r.key[j] = sealing[i] ? seal : open;
                        r.header[j] = buf[i].address();
                        r.length[j] = length[i];
                        r.mbuf[j] = 0; // plain memory, as the socket backend's
                        r.cookie[j] = i;
                    }
                    next += q.submit(r, k);
                    if (rnd.nextInt(3) != 0) {
                        continue; // another burst before polling
                    }
                }
                int got = q.poll(c);
                for (int j = 0; j < got; j++) {
                    assertEquals(done + j, c.cookie[j], who + " round " + round + ": completions in submit order");
                    status[c.cookie[j]] = c.status[j];
                }
                done += got;
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(who + " round " + round + ": stalled, " + done + " of " + n + " back, "
                            + (next - done) + " at the device");
                }
            }
            r.clearKeys(BURST);
            return status;
        }
    }
}

package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.ovpndpdk.qat.qatlib.DataChannelPackets.H;
import static dev.ovpndpdk.qat.qatlib.DataChannelPackets.HEADER;
import static dev.ovpndpdk.qat.qatlib.DataChannelPackets.packet;
import static dev.ovpndpdk.qat.qatlib.DataChannelPackets.random;
import static dev.ovpndpdk.qat.qatlib.DataChannelPackets.wire;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The qat engine against the stand-in library (src/test/c/qat_standin.c), which does the AEAD
 * with OpenSSL when polled; the reference is intel-ipsec-mb. Proves the engine's calls and
 * layouts against our reading of qatlib, not against qatlib.
 */
@Timeout(60)
class QatlibEngineTest {
    private static final int BURST = 32;

    private Arena arena;
    private QatlibEngine engine;
    private long invalidBefore;
    private long sessionsBefore;

    @BeforeEach
    void open() {
        StandIn.configure(true, 0, 64, false);
        invalidBefore = StandIn.stat(StandIn.INVALID);
        sessionsBefore = StandIn.stat(StandIn.LIVE_SESSIONS);
        arena = Arena.ofShared();
        engine = QatlibEngine.open(StandIn.qatlib(), new QatlibEngine.Settings("SSL", 2048), 2);
    }

    @AfterEach
    void close() {
        engine.close();
        arena.close();
        assertEquals(invalidBefore, StandIn.stat(StandIn.INVALID), () -> "stand-in refused an op: " + StandIn.lastError());
        assertEquals(sessionsBefore, StandIn.stat(StandIn.LIVE_SESSIONS), "every session removed");
        assertEquals(0, StandIn.stat(StandIn.USER_STARTED), "icp_sal_userStop called");
    }

    private MemorySegment bytes(Random rnd, int n) {
        return arena.allocate(n).copyFrom(MemorySegment.ofArray(random(rnd, n)));
    }

    /**
     * Submits {@code packets} with {@code key} in bursts, polling between, until all completed;
     * returns the statuses in completion order and checks the cookies come in submit order.
     */
    private static byte[] run(CryptoQueue q, AsyncAeadKey key, List<MemorySegment> packets, int[] lengths) {
        CryptoRequests r = new CryptoRequests(BURST);
        CryptoCompletions c = new CryptoCompletions(BURST);
        byte[] status = new byte[packets.size()];
        int next = 0;
        int done = 0;
        while (done < packets.size()) {
            int n = Math.min(BURST, packets.size() - next);
            for (int i = 0; i < n; i++) {
                r.key[i] = key;
                r.header[i] = packets.get(next + i).address() + H;
                r.length[i] = lengths[next + i];
                r.cookie[i] = next + i;
            }
            next += n > 0 ? q.submit(r, n) : 0;
            int k = q.poll(c);
            for (int i = 0; i < k; i++) {
                assertEquals(done, c.cookie[i], "completions in submit order");
                status[done++] = c.status[i];
            }
        }
        assertEquals(0, q.inFlight());
        return status;
    }

    @ParameterizedTest
    @EnumSource(value = CipherAlg.class, names = {"AES_128_GCM", "AES_256_GCM", "CHACHA20_POLY1305"})
    void sealAndOpenMatchIntelIpsecMbByteForByte(CipherAlg alg) {
        Random rnd = new Random(alg.ordinal() * 7919L + 1);
        MemorySegment keyBytes = bytes(rnd, alg.keyLength());
        MemorySegment tail = bytes(rnd, 8);
        int count = 300;
        List<MemorySegment> ours = new ArrayList<>();
        List<MemorySegment> reference = new ArrayList<>();
        List<byte[]> plaintexts = new ArrayList<>();
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            lengths[i] = i < 2 ? i : rnd.nextInt(1501);
            byte[] data = random(rnd, lengths[i]);
            plaintexts.add(data);
            int packetId = rnd.nextInt();
            ours.add(packet(arena, packetId, data));
            reference.add(packet(arena, packetId, data));
        }
        try (DataChannelPackets.Reference ref = new DataChannelPackets.Reference(alg, keyBytes, tail);
             AsyncAeadKey seal = engine.newKey(alg, keyBytes, tail, true);
             AsyncAeadKey open = engine.newKey(alg, keyBytes, tail, false);
             CryptoQueue q = engine.newQueue(1, 64)) {
            byte[] sealed = run(q, seal, ours, lengths);
            for (int i = 0; i < count; i++) {
                assertEquals(CryptoCompletions.OK, sealed[i]);
                ref.seal(reference.get(i), lengths[i]);
                assertArrayEquals(wire(reference.get(i), lengths[i]), wire(ours.get(i), lengths[i]),
                        "packet " + i + " of " + lengths[i] + " bytes sealed as intel-ipsec-mb seals it");
            }
            // The other direction: open what intel-ipsec-mb sealed.
            byte[] opened = run(q, open, reference, lengths);
            for (int i = 0; i < count; i++) {
                assertEquals(CryptoCompletions.OK, opened[i], "packet " + i);
                assertArrayEquals(plaintexts.get(i), reference.get(i).asSlice(H + HEADER, lengths[i]).toArray(JAVA_BYTE));
            }
            assertEquals(2L * count, q.submitted());
            assertEquals(2L * count, q.completed());
            assertEquals(0, q.failed());
        }
    }

    /** A flipped bit anywhere in AAD, tag or data fails at completion, and the packet is left as it came. */
    @ParameterizedTest
    @ValueSource(ints = {0, 5, 8, 23, 24, 100})
    void tamperedPacketFailsAtCompletionAndIsLeftAsItCame(int flippedByte) {
        CipherAlg alg = CipherAlg.AES_256_GCM;
        Random rnd = new Random(flippedByte);
        MemorySegment keyBytes = bytes(rnd, alg.keyLength());
        MemorySegment tail = bytes(rnd, 8);
        int len = 200;
        MemorySegment p = packet(arena, 41, random(rnd, len));
        try (DataChannelPackets.Reference ref = new DataChannelPackets.Reference(alg, keyBytes, tail);
             AsyncAeadKey open = engine.newKey(alg, keyBytes, tail, false);
             CryptoQueue q = engine.newQueue(0, 8)) {
            ref.seal(p, len);
            p.set(JAVA_BYTE, H + flippedByte, (byte) (p.get(JAVA_BYTE, H + flippedByte) ^ 0x10));
            byte[] before = wire(p, len);
            byte[] status = run(q, open, List.of(p), new int[] {len});
            assertEquals(CryptoCompletions.AUTH_FAILED, status[0]);
            assertArrayEquals(before, wire(p, len), "no unverified plaintext reaches the packet");
            assertEquals(0, q.failed(), "an auth failure is not an engine error");
        }
    }

    /**
     * The stand-in zeroes a ChaCha AAD up to 64 bytes, as qatlib before 26.02 does: were the AAD
     * pointed at the packet, the tag and 40 bytes of data after it would be zeroed.
     */
    @Test
    void theAadPadTheDeviceZeroesNeverReachesThePacket() {
        CipherAlg alg = CipherAlg.CHACHA20_POLY1305;
        Random rnd = new Random(64);
        MemorySegment keyBytes = bytes(rnd, alg.keyLength());
        MemorySegment tail = bytes(rnd, 8);
        byte[] data = random(rnd, 100);
        MemorySegment ours = packet(arena, 7, data);
        MemorySegment reference = packet(arena, 7, data);
        try (DataChannelPackets.Reference ref = new DataChannelPackets.Reference(alg, keyBytes, tail);
             AsyncAeadKey seal = engine.newKey(alg, keyBytes, tail, true);
             AsyncAeadKey open = engine.newKey(alg, keyBytes, tail, false);
             CryptoQueue q = engine.newQueue(0, 8)) {
            assertEquals(CryptoCompletions.OK, run(q, seal, List.of(ours), new int[] {100})[0]);
            ref.seal(reference, 100);
            assertArrayEquals(wire(reference, 100), wire(ours, 100));
            assertEquals(CryptoCompletions.OK, run(q, open, List.of(ours), new int[] {100})[0]);
            assertArrayEquals(data, ours.asSlice(H + HEADER, 100).toArray(JAVA_BYTE));
        }
    }

    @Test
    void fullRingRefusesTheRestAsBusyAndNothingIsLost() {
        StandIn.configure(true, 0, 8, false); // the device's ring: 8, the queue: 64
        CipherAlg alg = CipherAlg.AES_128_GCM;
        Random rnd = new Random(8);
        MemorySegment keyBytes = bytes(rnd, alg.keyLength());
        MemorySegment tail = bytes(rnd, 8);
        try (AsyncAeadKey seal = engine.newKey(alg, keyBytes, tail, true);
             CryptoQueue q = engine.newQueue(0, 64)) {
            CryptoRequests r = new CryptoRequests(BURST);
            for (int i = 0; i < BURST; i++) {
                r.key[i] = seal;
                r.header[i] = packet(arena, i, random(rnd, 64)).address() + H;
                r.length[i] = 64;
                r.cookie[i] = i;
            }
            long retries = StandIn.stat(StandIn.RETRIES);
            assertEquals(8, q.submit(r, BURST), "the ring took 8");
            assertEquals(BURST - 8, q.busy());
            assertTrue(StandIn.stat(StandIn.RETRIES) > retries, "the stand-in said CPA_STATUS_RETRY");
            assertEquals(8, q.inFlight());
            assertEquals(0, q.submit(r, 1), "still full until polled");
            CryptoCompletions c = new CryptoCompletions(BURST);
            assertEquals(8, q.poll(c));
            for (int i = 0; i < 8; i++) {
                assertEquals(i, c.cookie[i]);
                assertEquals(CryptoCompletions.OK, c.status[i]);
            }
            assertEquals(8, q.submitted());
            assertEquals(8, q.completed());
            assertEquals(BURST - 8 + 1, q.busy());
        }
    }

    /** Four bursts in flight; the device finishes them in order, or (second run) each poll's batch reversed. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void burstsInFlightCompleteInSubmitOrder(boolean deviceReverses) {
        StandIn.configure(true, 0, 64, deviceReverses);
        CipherAlg alg = CipherAlg.AES_256_GCM;
        Random rnd = new Random(4);
        MemorySegment keyBytes = bytes(rnd, alg.keyLength());
        MemorySegment tail = bytes(rnd, 8);
        try (AsyncAeadKey seal = engine.newKey(alg, keyBytes, tail, true);
             CryptoQueue q = engine.newQueue(1, 64)) {
            long doorbells = StandIn.stat(StandIn.DOORBELLS);
            CryptoRequests r = new CryptoRequests(8);
            int cookie = 0;
            for (int burst = 0; burst < 4; burst++) {
                for (int i = 0; i < 8; i++) {
                    r.key[i] = seal;
                    r.header[i] = packet(arena, cookie, random(rnd, 10 * i)).address() + H;
                    r.length[i] = 10 * i;
                    r.cookie[i] = cookie++;
                }
                assertEquals(8, q.submit(r, 8));
            }
            assertEquals(4, StandIn.stat(StandIn.DOORBELLS) - doorbells, "one doorbell per burst");
            assertEquals(32, q.inFlight());
            CryptoCompletions c = new CryptoCompletions(5); // smaller than what is done: the rest waits
            int expected = 0;
            while (q.inFlight() > 0) {
                int k = q.poll(c);
                for (int i = 0; i < k; i++) {
                    assertEquals(expected++, c.cookie[i]);
                    assertEquals(CryptoCompletions.OK, c.status[i]);
                }
            }
            assertEquals(32, expected);
        }
    }

    @Test
    void drainDiscardsWhatIsInFlight() {
        CipherAlg alg = CipherAlg.AES_128_GCM;
        Random rnd = new Random(3);
        try (AsyncAeadKey seal = engine.newKey(alg, bytes(rnd, 16), bytes(rnd, 8), true)) {
            CryptoQueue q = engine.newQueue(0, 16);
            CryptoRequests r = new CryptoRequests(10);
            for (int i = 0; i < 10; i++) {
                r.key[i] = seal;
                r.header[i] = packet(arena, i, random(rnd, 500)).address() + H;
                r.length[i] = 500;
                r.cookie[i] = i;
            }
            assertEquals(10, q.submit(r, 10));
            assertEquals(10, q.drain(new CryptoCompletions(4)));
            assertEquals(0, q.inFlight());
            assertEquals(10, q.completed());
            q.close();
        }
    }

    @Test
    void closingAnIdleKeyRemovesItsSessionOnEveryInstance() {
        Random rnd = new Random(1);
        long before = StandIn.stat(StandIn.LIVE_SESSIONS);
        AsyncAeadKey k = engine.newKey(CipherAlg.AES_256_GCM, bytes(rnd, 32), bytes(rnd, 8), false);
        assertEquals(before + 2, StandIn.stat(StandIn.LIVE_SESSIONS), "a session per instance");
        k.close();
        assertEquals(before, StandIn.stat(StandIn.LIVE_SESSIONS));
        k.close(); // idempotent
    }

    @Test
    void aKeyClosedWithRequestsInFlightKeepsItsSessionUntilTheyComplete() {
        Random rnd = new Random(2);
        long before = StandIn.stat(StandIn.LIVE_SESSIONS);
        AsyncAeadKey k = engine.newKey(CipherAlg.CHACHA20_POLY1305, bytes(rnd, 32), bytes(rnd, 8), true);
        try (CryptoQueue q = engine.newQueue(0, 8)) {
            CryptoRequests r = new CryptoRequests(1);
            r.key[0] = k;
            r.header[0] = packet(arena, 1, random(rnd, 300)).address() + H;
            r.length[0] = 300;
            assertEquals(1, q.submit(r, 1));
            k.close();
            assertEquals(before + 1, StandIn.stat(StandIn.LIVE_SESSIONS), "instance 1's session went, instance 0's waits");
            CryptoCompletions c = new CryptoCompletions(1);
            assertEquals(1, q.poll(c));
            assertEquals(CryptoCompletions.OK, c.status[0]);
            assertEquals(before, StandIn.stat(StandIn.LIVE_SESSIONS), "removed once idle");
            assertEquals(1, q.submit(r, 1), "a closed key's request is taken...");
            assertEquals(1, q.poll(c));
            assertEquals(CryptoCompletions.ERROR, c.status[0], "...and fails");
            assertEquals(1, q.failed());
        }
    }

    @Test
    void aPacketLongerThanTheBounceBufferCompletesWithError() {
        Random rnd = new Random(5);
        int tooLong = 2048 - HEADER + 1;
        try (AsyncAeadKey seal = engine.newKey(CipherAlg.AES_128_GCM, bytes(rnd, 16), bytes(rnd, 8), true);
             CryptoQueue q = engine.newQueue(0, 8)) {
            MemorySegment big = packet(arena, 1, random(rnd, tooLong));
            MemorySegment fine = packet(arena, 2, random(rnd, 2048 - HEADER));
            byte[] status = run(q, seal, List.of(big, fine), new int[] {tooLong, 2048 - HEADER});
            assertEquals(CryptoCompletions.ERROR, status[0]);
            assertEquals(CryptoCompletions.OK, status[1]);
            assertEquals(1, q.failed());
        }
    }

    @Test
    void describesItselfInOneLine() {
        String d = engine.describe();
        assertTrue(d.contains("2 of 2 crypto instances") && d.contains("ChaCha20-Poly1305") && !d.contains("\n"), d);
        assertEquals("qat", engine.name());
        assertTrue(engine.supports(CipherAlg.AES_192_GCM));
    }
}

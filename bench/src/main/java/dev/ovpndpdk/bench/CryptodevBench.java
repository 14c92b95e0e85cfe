package dev.ovpndpdk.bench;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;
import dev.ovpndpdk.qat.cryptodev.CryptodevEngine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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

/**
 * Raw cryptodev throughput: a burst of {@value #BURST} P_DATA_V2 packets sealed or opened in place,
 * submitted in one call and polled until all are back (lockstep, the worst case for an async
 * engine), per PMD, next to the same burst sealed by intel-ipsec-mb in the same run
 * ({@code engine=ipsec-mb}: {@code AeadKey.seal} per packet, which is direct intel-ipsec-mb to
 * within a few percent, see CryptoBench). Scores are packets per second.
 *
 * <p>Packets are in plain native memory (the socket backend's case: wrapped in the queue's
 * mbufs); each burst re-seals the previous ciphertext, which costs the same as plaintext.
 * {@code engine} is {@code pmd/cipher}; the EAL each fork starts is bare (no hugepages).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class CryptodevBench {
    static final int BURST = 32;
    static final int HEADER = 24;

    @Param({"ipsec-mb/AES_256_GCM", "crypto_aesni_gcm0/AES_256_GCM", "crypto_aesni_mb0/AES_256_GCM",
            "crypto_openssl0/AES_256_GCM", "ipsec-mb/CHACHA20_POLY1305", "crypto_aesni_mb0/CHACHA20_POLY1305",
            "crypto_chacha20_poly1305/CHACHA20_POLY1305"})
    public String engine;

    @Param({"64", "512", "1424"})
    public int size;

    /** {@code seal} (encrypt) or {@code open} (decrypt: the tag is checked, a mismatch costs the same). */
    @Param({"seal", "open"})
    public String direction;

    private final Arena arena = Arena.ofShared();
    private final long[] packet = new long[BURST];
    private CryptodevEngine cryptodev;
    private CryptoQueue queue;
    private AsyncAeadKey asyncKey;
    private CryptoRequests requests;
    private CryptoCompletions completions;
    private AeadKey syncKey;
    private AeadScratch scratch;
    private MemorySegment[] buffers;
    private boolean opening;

    @Setup
    public void setup() {
        String[] e = engine.split("/");
        CipherAlg alg = CipherAlg.valueOf(e[1]);
        Random r = new Random(1);
        byte[] keyBytes = new byte[alg.keyLength()];
        r.nextBytes(keyBytes);
        MemorySegment key = arena.allocate(keyBytes.length).copyFrom(MemorySegment.ofArray(keyBytes));
        MemorySegment tail = arena.allocate(8);
        buffers = new MemorySegment[BURST];
        for (int i = 0; i < BURST; i++) {
            byte[] b = new byte[HEADER + size];
            r.nextBytes(b);
            buffers[i] = arena.allocate(b.length, 64).copyFrom(MemorySegment.ofArray(b));
            packet[i] = buffers[i].address();
        }
        if (e[0].equals("ipsec-mb")) {
            IpsecMbEngine ipsecMb = IpsecMbEngine.create();
            syncKey = ipsecMb.newKey(alg, key);
            opening = direction.equals("open");
            scratch = ipsecMb.newScratch();
            return;
        }
        opening = direction.equals("open");
        cryptodev = CryptodevEngine.open(e[0], 1);
        queue = cryptodev.newQueue(0, 4 * BURST);
        asyncKey = cryptodev.newKey(alg, key, tail, direction.equals("seal"));
        requests = new CryptoRequests(BURST);
        completions = new CryptoCompletions(BURST);
        for (int i = 0; i < BURST; i++) {
            requests.key[i] = asyncKey;
            requests.header[i] = packet[i];
            requests.length[i] = size;
            requests.cookie[i] = i;
        }
    }

    /**
     * One burst sealed or opened: through the queue (submit, poll until all back) or ipsec-mb
     * packet by packet. Opening fails the tag check on these bytes, after the same work.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst() {
        if (queue == null) {
            int ok = 0;
            for (int i = 0; i < BURST; i++) {
                if (opening) {
                    ok += syncKey.open(scratch, buffers[i], 0, 8, 8, HEADER, size) ? 1 : 0;
                } else {
                    syncKey.seal(scratch, buffers[i], 0, 8, 8, HEADER, size);
                    ok++;
                }
            }
            return ok;
        }
        int sent = queue.submit(requests, BURST);
        int back = 0;
        while (back < sent) {
            back += queue.poll(completions);
        }
        byte s = completions.status[0];
        if (s != CryptoCompletions.OK && !(opening && s == CryptoCompletions.AUTH_FAILED)) {
            throw new IllegalStateException(direction + " failed: " + s);
        }
        return back;
    }

    @TearDown
    public void close() {
        if (cryptodev != null) {
            queue.close();
            asyncKey.close();
            cryptodev.close();
        } else {
            syncKey.close();
            scratch.close();
        }
        arena.close();
    }
}

package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One installed data-channel key: key-id, cipher, both directions (key schedule and 8-byte
 * nonce tail), and — as in Linux (spec §5.4) — its own TX packet-id counter and its own RX
 * replay window. Built by the control thread; used by the workers through {@link KeySlots}.
 *
 * <p>TX packet-ids start at 1 and never wrap (spec §1.6): at {@link Wire#PACKET_ID_REKEY}
 * the slot raises {@link #rekeyRequested()} (OpenVPN's own renegotiation trigger), and after
 * {@link Wire#PACKET_ID_LAST} it hands out nothing more. The workers also count the key's
 * AEAD usage and failed verifications ({@link AeadLimits}), which ask for a renegotiation
 * the same way.
 */
public final class KeySlot implements AutoCloseable {
    private static final VarHandle TX_ID;
    private static final VarHandle REKEY;
    private static final VarHandle USE = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TX_ID = l.findVarHandle(KeySlot.class, "nextTxId", long.class);
            REKEY = l.findVarHandle(KeySlot.class, "rekey", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int keyId;
    private final CipherAlg alg;
    private final AeadKey encrypt;
    private final AeadKey decrypt;
    /** Nonce tails kept as the 8 wire bytes read in native order, written back the same way. */
    private final long encryptNonceTail;
    private final long decryptNonceTail;
    private final ReplayWindow replay;
    /** The same keys as sessions of an asynchronous engine, or null when there is none. */
    private final AsyncAeadKey asyncEncrypt;
    private final AsyncAeadKey asyncDecrypt;

    // Padding keeps the contended TX counter off the cache line of the read-mostly fields.
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7;
    private volatile long nextTxId = 1;
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7;
    private volatile boolean rekey;
    /** Control thread only: KEY_ROTATE was sent for this slot. */
    private boolean rotateNotified;
    /**
     * Per worker, two counters: AEAD usage of both directions (plaintext blocks + invocations)
     * and failed verifications. Each worker writes only its own pair (counter(9), like
     * CounterSet, but unpadded: a key is one peer's, and one peer's packets are mostly one
     * worker's); the control thread sums them.
     */
    private final long[] use;

    private KeySlot(int keyId, CipherAlg alg, AeadKey encrypt, long encryptNonceTail,
                    AeadKey decrypt, long decryptNonceTail, int replayWindow,
                    AsyncAeadKey asyncEncrypt, AsyncAeadKey asyncDecrypt, int workers) {
        this.use = new long[2 * workers];
        this.asyncEncrypt = asyncEncrypt;
        this.asyncDecrypt = asyncDecrypt;
        this.keyId = keyId;
        this.alg = alg;
        this.encrypt = encrypt;
        this.decrypt = decrypt;
        this.encryptNonceTail = encryptNonceTail;
        this.decryptNonceTail = decryptNonceTail;
        this.replay = new ReplayWindow(replayWindow);
    }

    /**
     * Builds a slot from explicit per-direction keys, as NEW_KEY carries them (spec §3.1).
     *
     * @param encryptKey       {@code alg.keyLength()} bytes
     * @param encryptNonceTail 8 bytes
     */
    public static KeySlot create(AeadEngine engine, int keyId, CipherAlg alg,
                                 MemorySegment encryptKey, MemorySegment encryptNonceTail,
                                 MemorySegment decryptKey, MemorySegment decryptNonceTail,
                                 int replayWindow) {
        return create(engine, null, keyId, alg, encryptKey, encryptNonceTail, decryptKey, decryptNonceTail, replayWindow);
    }

    /**
     * As {@link #create(AeadEngine, int, CipherAlg, MemorySegment, MemorySegment, MemorySegment,
     * MemorySegment, int)}, with sessions on {@code offload} too when it is not null and
     * supports the cipher (a cipher it lacks stays in software: QAT gen1/2 has no ChaCha20).
     */
    public static KeySlot create(AeadEngine engine, AsyncAeadEngine offload, int keyId, CipherAlg alg,
                                 MemorySegment encryptKey, MemorySegment encryptNonceTail,
                                 MemorySegment decryptKey, MemorySegment decryptNonceTail,
                                 int replayWindow) {
        return create(engine, offload, keyId, alg, encryptKey, encryptNonceTail, decryptKey, decryptNonceTail,
                replayWindow, 1);
    }

    /**
     * As above, for {@code workers} workers: each counts the key's usage in its own place
     * (with fewer places than workers, the last ones share one and may lose a count).
     */
    public static KeySlot create(AeadEngine engine, AsyncAeadEngine offload, int keyId, CipherAlg alg,
                                 MemorySegment encryptKey, MemorySegment encryptNonceTail,
                                 MemorySegment decryptKey, MemorySegment decryptNonceTail,
                                 int replayWindow, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (keyId < 0 || keyId > Wire.MAX_KEY_ID) {
            throw new IllegalArgumentException("key-id must be 0..7, got " + keyId);
        }
        if (encryptNonceTail.byteSize() != Wire.NONCE_TAIL_LENGTH || decryptNonceTail.byteSize() != Wire.NONCE_TAIL_LENGTH) {
            throw new IllegalArgumentException("nonce tails must be exactly 8 bytes");
        }
        ReplayWindow.checkSize(replayWindow); // before native keys are built
        AeadKey enc = engine.newKey(alg, encryptKey);
        AeadKey dec = null;
        AsyncAeadKey asyncEnc = null;
        AsyncAeadKey asyncDec = null;
        try {
            dec = engine.newKey(alg, decryptKey);
            if (offload != null && offload.supports(alg)) {
                asyncEnc = offload.newKey(alg, encryptKey, encryptNonceTail, true);
                asyncDec = offload.newKey(alg, decryptKey, decryptNonceTail, false);
            }
        } catch (RuntimeException e) {
            enc.close();
            if (dec != null) {
                dec.close();
            }
            if (asyncEnc != null) {
                asyncEnc.close();
            }
            throw e;
        }
        return new KeySlot(keyId, alg, enc, encryptNonceTail.get(ValueLayout.JAVA_LONG_UNALIGNED, 0),
                dec, decryptNonceTail.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), replayWindow, asyncEnc, asyncDec, workers);
    }

    /** Builds a slot from an OpenVPN key block and our role (spec §2.2). */
    public static KeySlot create(AeadEngine engine, int keyId, CipherAlg alg, KeyMaterial km,
                                 Role role, int replayWindow) {
        return create(engine, keyId, alg,
                km.cipherKey(role.encryptIndex(), alg), km.nonceTail(role.encryptIndex()),
                km.cipherKey(role.decryptIndex(), alg), km.nonceTail(role.decryptIndex()),
                replayWindow);
    }

    public int keyId() {
        return keyId;
    }

    public CipherAlg alg() {
        return alg;
    }

    AeadKey encryptKey() {
        return encrypt;
    }

    AeadKey decryptKey() {
        return decrypt;
    }

    /** The sealing session on the asynchronous engine, or null: this key is sealed in software. */
    public AsyncAeadKey asyncEncrypt() {
        return asyncEncrypt;
    }

    /** The opening session on the asynchronous engine, or null: this key is opened in software. */
    public AsyncAeadKey asyncDecrypt() {
        return asyncDecrypt;
    }

    long encryptNonceTail() {
        return encryptNonceTail;
    }

    long decryptNonceTail() {
        return decryptNonceTail;
    }

    ReplayWindow replay() {
        return replay;
    }

    /**
     * Takes the next TX packet-id.
     *
     * @return the id, or -1 when the key is exhausted (it sent 0xFFFFFFFF already)
     */
    public long nextTxPacketId() {
        long id = (long) TX_ID.getAndAdd(this, 1L);
        if (id >= Wire.PACKET_ID_REKEY) {
            if (!rekey) {
                REKEY.setRelease(this, true);
            }
            if (id > Wire.PACKET_ID_LAST) {
                return -1;
            }
        }
        return id;
    }

    /** The packet-id the next send will use (for GET_KEY and tests). */
    public long peekNextTxPacketId() {
        return nextTxId;
    }

    /** Starts the TX counter somewhere else; for tests of the rekey and exhaustion limits. */
    public void setNextTxPacketId(long id) {
        nextTxId = id;
    }

    /** True once the TX packet-id reached 0xFF000000: the control plane should renegotiate. */
    public boolean rekeyRequested() {
        return rekey;
    }

    /** Worker {@code w}: one AEAD invocation over {@code plaintextLen} bytes, either direction. */
    public void countUse(int w, int plaintextLen) {
        int i = Math.min(w, (use.length >>> 1) - 1) << 1;
        USE.setOpaque(use, i, (long) USE.getOpaque(use, i) + AeadLimits.usageOf(plaintextLen));
    }

    /** Worker {@code w}: a packet of this key failed authentication. */
    public void countFailedVerification(int w) {
        int i = (Math.min(w, (use.length >>> 1) - 1) << 1) + 1;
        USE.setOpaque(use, i, (long) USE.getOpaque(use, i) + 1);
    }

    /** AEAD usage so far, both directions (plaintext blocks + invocations), as the workers counted it. */
    public long aeadUsage() {
        return sum(0);
    }

    /** Packets of this key that failed authentication so far. */
    public long failedVerifications() {
        return sum(1);
    }

    private long sum(int which) {
        long t = 0;
        for (int i = which; i < use.length; i += 2) {
            t += (long) USE.getOpaque(use, i);
        }
        return t;
    }

    /** Sets the usage counted so far; for tests of the usage limit (no test can seal 2^36 blocks). */
    public void setAeadUsage(long usage, long failed) {
        java.util.Arrays.fill(use, 0);
        use[0] = usage;
        use[1] = failed;
    }

    /**
     * Why this key should be renegotiated now, or null: the TX packet-id reached 0xFF000000,
     * or the AEAD usage or the failed verifications reached their {@link AeadLimits} thresholds.
     */
    public String rotationReason() {
        if (rekey) {
            return "tx packet-id reached 0xff000000";
        }
        long u = aeadUsage();
        if (u >= AeadLimits.rotateAt(alg)) {
            return "aead usage " + u + " reached 7/8 of the " + alg.openvpnName() + " limit";
        }
        long f = failedVerifications();
        if (f >= AeadLimits.FAILED_VERIFICATIONS_ROTATE) {
            return f + " failed verifications";
        }
        return null;
    }

    /**
     * Control thread: true exactly once after a {@link #rotationReason()} appeared, so that
     * one KEY_ROTATE notification goes out per key.
     */
    public boolean claimRotateNotification() {
        if (rotateNotified || rotationReason() == null) {
            return false;
        }
        rotateNotified = true;
        return true;
    }

    public int replayWindowSize() {
        return replay.size();
    }

    /**
     * Zeroes and frees both directions' key schedules and sessions. Call only after the grace
     * period, which a worker extends while it has requests on this key in flight.
     */
    @Override
    public void close() {
        encrypt.close();
        decrypt.close();
        if (asyncEncrypt != null) {
            asyncEncrypt.close();
            asyncDecrypt.close();
        }
    }

    @Override
    public String toString() {
        return "KeySlot[key-id " + keyId + ", " + alg + "]";
    }
}

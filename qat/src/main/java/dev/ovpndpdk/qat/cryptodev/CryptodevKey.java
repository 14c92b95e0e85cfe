package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One key in one direction on a {@link CryptodevEngine}: a cryptodev session and, next to it in
 * native memory, the nonce tail — the shim's {@code struct ovd_aead_key {void *session;
 * uint8_t nonce_tail[8];}}, whose address goes into every request of the key so the shim builds
 * the IV without a lookup.
 */
public final class CryptodevKey implements AsyncAeadKey {
    static final long SIZE = 16;
    private static final long SESSION = 0;
    private static final long NONCE_TAIL = 8;

    private final CryptodevEngine engine;
    private final CipherAlg alg;
    private final boolean encrypt;
    private final Arena arena;
    private final MemorySegment struct;
    private final long session;
    private boolean closed;

    CryptodevKey(CryptodevEngine engine, CipherAlg alg, boolean encrypt, long session, MemorySegment nonceTail) {
        this.engine = engine;
        this.alg = alg;
        this.encrypt = encrypt;
        this.session = session;
        this.arena = Arena.ofShared();
        this.struct = arena.allocate(SIZE, 16);
        struct.set(JAVA_LONG, SESSION, session);
        MemorySegment.copy(nonceTail, 0, struct, NONCE_TAIL, 8);
    }

    @Override
    public CipherAlg alg() {
        return alg;
    }

    @Override
    public boolean encrypt() {
        return encrypt;
    }

    /** Address of the {@code struct ovd_aead_key} the shim reads. */
    long address() {
        return struct.address();
    }

    long session() {
        return session;
    }

    boolean isClosed() {
        return closed;
    }

    /** Frees the session (the PMD clears its key schedule) and zeroes the nonce tail; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        engine.freeSession(this);
        struct.fill((byte) 0);
        arena.close();
    }

    @Override
    public String toString() {
        return alg + (encrypt ? " seal" : " open") + " session@" + Long.toHexString(session);
    }
}

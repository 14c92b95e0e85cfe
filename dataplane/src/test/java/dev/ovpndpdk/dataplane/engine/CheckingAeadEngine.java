package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps an engine and counts every seal/open on a key that was already closed, or closed
 * while the call ran — what the grace period must make impossible.
 */
final class CheckingAeadEngine implements AeadEngine {
    final AeadEngine inner;
    final AtomicLong useAfterClose = new AtomicLong();
    final AtomicLong closedKeys = new AtomicLong();
    final AtomicLong createdKeys = new AtomicLong();

    CheckingAeadEngine(AeadEngine inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return "checking-" + inner.name();
    }

    @Override
    public String describe() {
        return name();
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return inner.supports(alg);
    }

    @Override
    public AeadKey newKey(CipherAlg alg, MemorySegment key) {
        createdKeys.incrementAndGet();
        AeadKey k = inner.newKey(alg, key);
        AtomicBoolean closed = new AtomicBoolean();
        return new AeadKey() {
            @Override
            public CipherAlg alg() {
                return alg;
            }

            @Override
            public void seal(AeadScratch s, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
                if (closed.get()) {
                    useAfterClose.incrementAndGet();
                    return;
                }
                k.seal(s, buf, aadOff, aadLen, tagOff, dataOff, dataLen);
                if (closed.get()) {
                    useAfterClose.incrementAndGet();
                }
            }

            @Override
            public boolean open(AeadScratch s, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
                if (closed.get()) {
                    useAfterClose.incrementAndGet();
                    return false;
                }
                boolean ok = k.open(s, buf, aadOff, aadLen, tagOff, dataOff, dataLen);
                if (closed.get()) {
                    useAfterClose.incrementAndGet();
                }
                return ok;
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    closedKeys.incrementAndGet();
                    k.close();
                }
            }
        };
    }

    @Override
    public AeadScratch newScratch() {
        return inner.newScratch();
    }
}

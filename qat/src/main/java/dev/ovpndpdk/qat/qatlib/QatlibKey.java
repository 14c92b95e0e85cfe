package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Cpa;
import dev.ovpndpdk.bindings.qatlib.CpaCySymSessionSetupData;
import dev.ovpndpdk.bindings.qatlib.Qatlib;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One key in one direction: a qatlib DP session on every started instance, each in its own USDM
 * block, plus the nonce tail.
 *
 * <p>A session is made on each instance because {@code cpaCySymDpInitSession} takes an instance
 * and the API does not say a session may serve another; the SPI lets any queue use any key, so
 * the key carries one per queue.
 *
 * <p>Removal waits for idleness (async-crypto.md §1.3): each queue counts its requests in
 * flight on this key in {@link #inFlight}, written only by that queue's thread. {@link #close()}
 * removes the sessions with nothing in flight at once and hands the others to their queue, which
 * removes them on a later poll once their count is 0. Within the SPI's contract (close after the
 * grace period) every count is already 0 and close removes everything itself.
 */
final class QatlibKey implements AsyncAeadKey {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(int[].class);

    private final QatlibEngine engine;
    private final CipherAlg alg;
    private final boolean encrypt;
    /** The 8 nonce-tail bytes as read from memory, written back the same way into each IV slot. */
    final long nonceTail;
    /** Session context address per instance, for {@code CpaCySymDpOpData.sessionCtx}. */
    final long[] session;
    /** Requests in flight on each instance's session; element i belongs to queue i's thread. */
    final int[] inFlight;
    private final UsdmBlock[] sessionMemory;
    private final boolean[] removed;
    private volatile boolean closed;

    private QatlibKey(QatlibEngine engine, CipherAlg alg, boolean encrypt, long nonceTail, int instances) {
        this.engine = engine;
        this.alg = alg;
        this.encrypt = encrypt;
        this.nonceTail = nonceTail;
        this.session = new long[instances];
        this.inFlight = new int[instances];
        this.sessionMemory = new UsdmBlock[instances];
        this.removed = new boolean[instances];
    }

    static QatlibKey create(QatlibEngine engine, CipherAlg alg, MemorySegment key, MemorySegment nonceTail, boolean encrypt) {
        Qatlib lib = engine.lib();
        QatlibEngine.Instance[] instances = engine.instances();
        QatlibKey k = new QatlibKey(engine, alg, encrypt, nonceTail.get(JAVA_LONG_UNALIGNED, 0), instances.length);
        try (Arena a = Arena.ofConfined()) {
            // The key is read by cpaCySymDpInitSession only (it goes into the session's content
            // descriptor), so ordinary memory will do; it is zeroed before the arena goes.
            MemorySegment keyCopy = a.allocate(alg.keyLength(), 16);
            MemorySegment setup = a.allocate(CpaCySymSessionSetupData.SIZE, 8);
            MemorySegment size = a.allocate(JAVA_INT);
            try {
                keyCopy.copyFrom(key);
                CpaCySymSessionSetupData.aead(setup, !alg.isAesGcm(), keyCopy.address(), alg.keyLength(), encrypt,
                        QatlibEngine.AAD);
                for (QatlibEngine.Instance in : instances) {
                    long h = in.handle();
                    int s = lib.cpaCySymDpSessionCtxGetSize(h, setup.address(), size.address());
                    if (s != Cpa.CPA_STATUS_SUCCESS) {
                        throw new IllegalStateException("cpaCySymDpSessionCtxGetSize failed: " + Cpa.statusName(s));
                    }
                    UsdmBlock ctx = UsdmBlock.allocate(lib, Integer.toUnsignedLong(size.get(JAVA_INT, 0)), in.node(), 64,
                            "a session context");
                    s = lib.cpaCySymDpInitSession(h, setup.address(), ctx.address());
                    if (s != Cpa.CPA_STATUS_SUCCESS) {
                        ctx.free();
                        throw new IllegalStateException("cpaCySymDpInitSession (" + alg + ") failed: " + Cpa.statusName(s));
                    }
                    k.sessionMemory[in.index()] = ctx;
                    k.session[in.index()] = ctx.address();
                }
            } catch (RuntimeException e) {
                k.close();
                throw e;
            } finally {
                keyCopy.fill((byte) 0);
                setup.fill((byte) 0);
            }
        }
        return k;
    }

    @Override
    public CipherAlg alg() {
        return alg;
    }

    @Override
    public boolean encrypt() {
        return encrypt;
    }

    boolean isClosed() {
        return closed;
    }

    boolean belongsTo(QatlibEngine e) {
        return engine == e;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < session.length; i++) {
            if (!removeIfIdle(i)) {
                QatlibQueue q = engine.queue(i);
                if (q != null) {
                    q.retire(this);
                }
                // No live queue and still in flight: that queue was abandoned by a timed-out
                // drain, the device may still use the session, so it is left to the process's end.
            }
        }
        engine.forget(this);
    }

    /**
     * Removes instance {@code i}'s session if nothing is in flight on it; true when it is gone.
     * Called by {@link #close()} and by queue {@code i} on its own thread.
     */
    synchronized boolean removeIfIdle(int i) {
        if (removed[i] || sessionMemory[i] == null) {
            return true;
        }
        if ((int) COUNT.getVolatile(inFlight, i) != 0) {
            return false;
        }
        int s = engine.lib().cpaCySymDpRemoveSession(engine.instances()[i].handle(), session[i]);
        if (s == Cpa.CPA_STATUS_RETRY) {
            return false;
        }
        removed[i] = true;
        if (s == Cpa.CPA_STATUS_SUCCESS) {
            sessionMemory[i].free();
        }
        // Any other status: qatlib kept the session, so its memory is left alone rather than freed under it.
        return true;
    }
}

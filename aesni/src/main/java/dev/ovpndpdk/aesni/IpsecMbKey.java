package dev.ovpndpdk.aesni;

import dev.ovpndpdk.bindings.ipsecmb.ImbContexts;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One direction's key for {@link IpsecMbEngine}, in native memory we own: for AES-GCM the
 * expanded {@code gcm_key_data} (round keys and GHASH key powers), for ChaCha20-Poly1305 the
 * raw 32-byte key, which is all the library needs. Read-only after construction, so any
 * number of threads may seal/open with it, each with its own {@link IpsecMbScratch}.
 *
 * <p>Every call checks what the library cannot: native buffer, offsets inside it, lengths
 * in range. Then it passes plain addresses, so nothing is allocated per packet.
 *
 * <p>ipsec-mb's decrypt only <em>computes</em> the tag; {@code open} has it written into the
 * scratch and compares it with the packet's in constant time. The data is decrypted in place
 * either way; on a mismatch it is garbage the caller drops (as {@link AeadKey#open} says).
 */
abstract sealed class IpsecMbKey implements AeadKey
        permits IpsecMbKey.Gcm128, IpsecMbKey.Gcm192, IpsecMbKey.Gcm256, IpsecMbKey.ChachaPoly {

    static final int TAG = CipherAlg.TAG_LENGTH;

    private final CipherAlg alg;
    private final Arena arena;
    private final boolean ownsArena;
    private final MemorySegment schedule;
    /** Address of the schedule, 0 once closed: checked per call, so a closed key fails cleanly. */
    private long key;

    /**
     * Copies and expands {@code rawKey} into native memory from {@code arena}, which
     * {@link #close()} closes when {@code ownsArena} (tests pass their own arena, to read the
     * memory after close).
     */
    static IpsecMbKey create(CipherAlg alg, MemorySegment rawKey, Arena arena, boolean ownsArena) {
        return switch (alg) {
            case AES_128_GCM -> new Gcm128(rawKey, arena, ownsArena);
            case AES_192_GCM -> new Gcm192(rawKey, arena, ownsArena);
            case AES_256_GCM -> new Gcm256(rawKey, arena, ownsArena);
            case CHACHA20_POLY1305 -> new ChachaPoly(rawKey, arena, ownsArena);
        };
    }

    private IpsecMbKey(CipherAlg alg, MemorySegment rawKey, Arena arena, boolean ownsArena) {
        this.alg = alg;
        this.arena = arena;
        this.ownsArena = ownsArena;
        if (alg.isAesGcm()) {
            schedule = arena.allocate(ImbContexts.GCM_KEY_DATA_SIZE, ImbContexts.GCM_KEY_DATA_ALIGN);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment raw = tmp.allocate(alg.keyLength(), 16).copyFrom(rawKey);
                switch (alg) {
                    case AES_128_GCM -> IpsecMb.gcm128_pre(raw.address(), schedule.address());
                    case AES_192_GCM -> IpsecMb.gcm192_pre(raw.address(), schedule.address());
                    default -> IpsecMb.gcm256_pre(raw.address(), schedule.address());
                }
                raw.fill((byte) 0);
            }
        } else {
            schedule = arena.allocate(64, 64).copyFrom(rawKey);
        }
        key = schedule.address();
    }

    @Override
    public CipherAlg alg() {
        return alg;
    }

    /** The native key schedule, for tests of {@link #close()}. */
    MemorySegment schedule() {
        return schedule;
    }

    /** Lengths the data channel can produce; anything else is refused before native code runs. */
    static boolean lengthsOk(int aadLen, int dataLen) {
        return aadLen >= 0 && dataLen >= 0 && dataLen <= JdkAeadEngine.MAX_DATA;
    }

    static IllegalArgumentException badLengths(int aadLen, int dataLen) {
        return new IllegalArgumentException("aad " + aadLen + " / data " + dataLen + " out of range");
    }

    /**
     * The native address of {@code buf} after checking everything the library would otherwise
     * trust blindly: off-heap, still alive, and every region inside it.
     */
    static long checkedBase(MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
        if (!buf.isNative()) {
            throw new IllegalArgumentException("intel-ipsec-mb works on native memory only (packet buffers are off-heap)");
        }
        long size = buf.byteSize();
        Objects.checkFromIndexSize(aadOff, aadLen, size);
        Objects.checkFromIndexSize(tagOff, TAG, size);
        Objects.checkFromIndexSize(dataOff, dataLen, size);
        if (!buf.scope().isAlive()) {
            throw new IllegalStateException("buffer's memory has been freed");
        }
        return buf.address();
    }

    final long liveKey() {
        long k = key;
        if (k == 0) {
            throw new IllegalStateException(alg + " key used after close()");
        }
        return k;
    }

    /** Zeroes the whole schedule before the memory goes back (ARCHITECTURE.md, grace period). */
    @Override
    public void close() {
        if (key == 0) {
            return;
        }
        key = 0;
        schedule.fill((byte) 0);
        if (ownsArena) {
            arena.close();
        }
    }

    // One final class per cipher, each with its own seal/open calling one static downcall:
    // small enough for the JIT to inline into the caller, and a call site that sees one
    // cipher stays monomorphic. (A single class switching over four ciphers compiled to a
    // method too big to inline and cost ~15% at 64 bytes.)

    static final class Gcm128 extends IpsecMbKey {
        Gcm128(MemorySegment rawKey, Arena arena, boolean ownsArena) {
            super(CipherAlg.AES_128_GCM, rawKey, arena, ownsArena);
        }

        @Override
        public void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                throw badLengths(aadLen, dataLen);
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm128_enc(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, base + tagOff, TAG);
        }

        @Override
        public boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                return false;
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm128_dec(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, s.computedTagAddr, TAG);
            return s.computedTagEquals(base + tagOff);
        }
    }

    static final class Gcm192 extends IpsecMbKey {
        Gcm192(MemorySegment rawKey, Arena arena, boolean ownsArena) {
            super(CipherAlg.AES_192_GCM, rawKey, arena, ownsArena);
        }

        @Override
        public void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                throw badLengths(aadLen, dataLen);
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm192_enc(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, base + tagOff, TAG);
        }

        @Override
        public boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                return false;
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm192_dec(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, s.computedTagAddr, TAG);
            return s.computedTagEquals(base + tagOff);
        }
    }

    static final class Gcm256 extends IpsecMbKey {
        Gcm256(MemorySegment rawKey, Arena arena, boolean ownsArena) {
            super(CipherAlg.AES_256_GCM, rawKey, arena, ownsArena);
        }

        @Override
        public void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                throw badLengths(aadLen, dataLen);
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm256_enc(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, base + tagOff, TAG);
        }

        @Override
        public boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                return false;
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            long data = base + dataOff;
            IpsecMb.gcm256_dec(liveKey(), s.gcmCtxAddr, data, data, dataLen, s.nonceAddr, base + aadOff, aadLen, s.computedTagAddr, TAG);
            return s.computedTagEquals(base + tagOff);
        }
    }

    /** ChaCha20-Poly1305 through the scratch's job queue ({@link IpsecMbScratch#chachaPoly}). */
    static final class ChachaPoly extends IpsecMbKey {
        ChachaPoly(MemorySegment rawKey, Arena arena, boolean ownsArena) {
            super(CipherAlg.CHACHA20_POLY1305, rawKey, arena, ownsArena);
        }

        @Override
        public void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                throw badLengths(aadLen, dataLen);
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            s.chachaPoly(true, liveKey(), base + dataOff, dataLen, base + aadOff, aadLen, base + tagOff);
        }

        @Override
        public boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen, long tagOff, long dataOff, int dataLen) {
            IpsecMbScratch s = (IpsecMbScratch) scratch;
            if (!lengthsOk(aadLen, dataLen)) {
                return false;
            }
            long base = checkedBase(buf, aadOff, aadLen, tagOff, dataOff, dataLen);
            s.chachaPoly(false, liveKey(), base + dataOff, dataLen, base + aadOff, aadLen, s.computedTagAddr);
            return s.computedTagEquals(base + tagOff);
        }
    }
}

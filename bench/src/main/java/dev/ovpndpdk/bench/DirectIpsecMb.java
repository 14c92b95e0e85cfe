package dev.ovpndpdk.bench;

import dev.ovpndpdk.bindings.ipsecmb.ImbContexts;
import dev.ovpndpdk.bindings.ipsecmb.ImbJob;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The raw-crypto reference of {@link PipelineBench}: the intel-ipsec-mb functions the aesni
 * engine calls (as {@link CryptoBench}'s {@code directIpsecMb*}), on a P_DATA_V2 packet at an
 * address, with nothing in between — no SPI, no codec, no copy, no checks beyond the tag
 * compare.
 * The nonce is packet-id ‖ nonce tail, as on the wire; the AD is the packet's first 8 bytes.
 */
final class DirectIpsecMb implements AutoCloseable {
    /** All of native memory: tags are read by address, unchecked. */
    private static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfInt BE_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final CipherAlg alg;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment keyData;
    private final MemorySegment block; // nonce at 0, computed tag at 16, gcm_context_data at 64
    private final MemorySegment manager;
    private final long key;
    private final long nonce;
    private final long tagOut;
    private final long ctx;
    private final long mgr;

    /**
     * @param rawKey    {@code alg.keyLength()} bytes
     * @param nonceTail the 8 bytes after the packet-id in every nonce
     */
    DirectIpsecMb(CipherAlg alg, MemorySegment rawKey, MemorySegment nonceTail) {
        if (!IpsecMb.isAvailable()) {
            throw new IllegalStateException(IpsecMb.unavailableReason());
        }
        this.alg = alg;
        keyData = arena.allocate(ImbContexts.GCM_KEY_DATA_SIZE, 64);
        block = arena.allocate(64 + ImbContexts.GCM_CONTEXT_DATA_SIZE, 64);
        MemorySegment raw = arena.allocate(32, 64).copyFrom(rawKey);
        switch (alg) {
            case AES_128_GCM -> IpsecMb.gcm128_pre(raw.address(), keyData.address());
            case AES_192_GCM -> IpsecMb.gcm192_pre(raw.address(), keyData.address());
            case AES_256_GCM -> IpsecMb.gcm256_pre(raw.address(), keyData.address());
            case CHACHA20_POLY1305 -> keyData.copyFrom(raw);
        }
        raw.fill((byte) 0);
        MemorySegment.copy(nonceTail, 0, block, 4, Wire.NONCE_TAIL_LENGTH);
        manager = IpsecMb.newManager();
        mgr = manager.address();
        key = keyData.address();
        nonce = block.address();
        tagOut = block.address() + 16;
        ctx = block.address() + 64;
    }

    /** Seals {@code size} bytes at {@code base + 24} in place, tag at {@code base + 8}. */
    void seal(long base, int size, int packetId) {
        NATIVE.set(BE_INT, nonce, packetId); // big-endian, as on the wire
        long data = base + Wire.CIPHERTEXT_OFFSET;
        long tag = base + Wire.TAG_OFFSET;
        int ad = Wire.AD_LENGTH;
        int t = Wire.TAG_LENGTH;
        switch (alg) {
            case AES_128_GCM -> IpsecMb.gcm128_enc(key, ctx, data, data, size, nonce, base, ad, tag, t);
            case AES_192_GCM -> IpsecMb.gcm192_enc(key, ctx, data, data, size, nonce, base, ad, tag, t);
            case AES_256_GCM -> IpsecMb.gcm256_enc(key, ctx, data, data, size, nonce, base, ad, tag, t);
            case CHACHA20_POLY1305 -> chachaPoly(true, data, data, size, base, tag);
        }
    }

    /**
     * Opens the P_DATA_V2 packet at {@code base} ({@code size} bytes of ciphertext): the
     * plaintext goes to {@code out} — {@code base + 24} to open in place, as the worker does.
     */
    boolean open(long base, long out, int size) {
        NATIVE.set(JAVA_INT_UNALIGNED, nonce, NATIVE.get(JAVA_INT_UNALIGNED, base + Wire.PACKET_ID_OFFSET));
        long in = base + Wire.CIPHERTEXT_OFFSET;
        int ad = Wire.AD_LENGTH;
        int t = Wire.TAG_LENGTH;
        switch (alg) {
            case AES_128_GCM -> IpsecMb.gcm128_dec(key, ctx, out, in, size, nonce, base, ad, tagOut, t);
            case AES_192_GCM -> IpsecMb.gcm192_dec(key, ctx, out, in, size, nonce, base, ad, tagOut, t);
            case AES_256_GCM -> IpsecMb.gcm256_dec(key, ctx, out, in, size, nonce, base, ad, tagOut, t);
            case CHACHA20_POLY1305 -> chachaPoly(false, in, out, size, base, tagOut);
        }
        long tag = base + Wire.TAG_OFFSET;
        long diff = (NATIVE.get(JAVA_LONG_UNALIGNED, tag) ^ NATIVE.get(JAVA_LONG, tagOut))
                | (NATIVE.get(JAVA_LONG_UNALIGNED, tag + 8) ^ NATIVE.get(JAVA_LONG, tagOut + 8));
        return diff == 0;
    }

    private void chachaPoly(boolean encrypt, long in, long out, int size, long aad, long tag) {
        long job = IpsecMb.get_next_job(mgr);
        ImbJob.fillChachaPoly(manager, job, encrypt, key, in, size, nonce, aad, Wire.AD_LENGTH, tag);
        manager.set(JAVA_LONG, job - mgr + ImbJob.dst$OFFSET, out);
        long done = IpsecMb.submit_job(mgr);
        if (done == 0) {
            done = IpsecMb.flush_job(mgr);
        }
        if (done == 0 || ImbJob.status(manager, done) != ImbJob.IMB_STATUS_COMPLETED) {
            throw new IllegalStateException("ChaCha20-Poly1305 job failed");
        }
    }

    @Override
    public void close() {
        block.fill((byte) 0);
        keyData.fill((byte) 0);
        IpsecMb.freeManager(manager);
        arena.close();
    }
}

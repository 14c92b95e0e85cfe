package dev.ovpndpdk.aesni;

import dev.ovpndpdk.bindings.ipsecmb.ImbContexts;
import dev.ovpndpdk.bindings.ipsecmb.ImbJob;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.bindings.ipsecmb.IpsecMbLibrary;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One thread's working memory for {@link IpsecMbEngine}: a 64-byte-aligned native block with
 * the nonce the caller fills, the tag that {@code open} computes, and the GCM context; plus an
 * {@code IMB_MGR} of its own, because the job API that runs ChaCha20-Poly1305 keeps its queue
 * in the manager. Owning all of that per thread is what makes seal/open on a shared key
 * lock-free.
 */
final class IpsecMbScratch implements AeadScratch {

    private static final long NONCE = 0;
    private static final long COMPUTED_TAG = 16;
    private static final long GCM_CTX = 64;
    private static final long SIZE = GCM_CTX + ((ImbContexts.GCM_CONTEXT_DATA_SIZE + 63) & ~63L);
    /** All of native memory, for reads at addresses that were checked already. */
    private static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment block = arena.allocate(SIZE, 64);
    private final MemorySegment nonce = block.asSlice(NONCE, CipherAlg.NONCE_LENGTH);
    private final MemorySegment manager = IpsecMb.newManager();
    private final long mgr = manager.address();
    final long nonceAddr = block.address() + NONCE;
    final long computedTagAddr = block.address() + COMPUTED_TAG;
    final long gcmCtxAddr = block.address() + GCM_CTX;
    private boolean closed;

    @Override
    public MemorySegment nonce() {
        return nonce;
    }

    /**
     * Compares the tag that {@code open} computed with the one in the packet, in constant
     * time: both 16 bytes are always read and folded into one word before the single branch,
     * so the time does not tell an attacker how many leading bytes of a forged tag were right.
     *
     * @param packetTag address of the packet's tag, already bounds- and liveness-checked by
     *        the caller; read through {@link #NATIVE} because four checked segment accesses
     *        made {@code open} too big for the JIT to inline into its caller (~15% at 64 bytes)
     */
    boolean computedTagEquals(long packetTag) {
        long diff = (NATIVE.get(JAVA_LONG_UNALIGNED, packetTag) ^ NATIVE.get(JAVA_LONG, computedTagAddr))
                | (NATIVE.get(JAVA_LONG_UNALIGNED, packetTag + 8) ^ NATIVE.get(JAVA_LONG, computedTagAddr + 8));
        return diff == 0;
    }

    /**
     * One ChaCha20-Poly1305 AEAD through the job API: the library's one-shot implementation,
     * which (unlike the init/update/finalize functions) the job API reaches. Completes
     * synchronously: submit hands the job straight back.
     */
    void chachaPoly(boolean encrypt, long key, long data, int len, long aad, int aadLen, long tag) {
        long job = IpsecMb.get_next_job(mgr);
        ImbJob.fillChachaPoly(manager, job, encrypt, key, data, len, nonceAddr, aad, aadLen, tag);
        long done = IpsecMb.submit_job(mgr);
        if (done == 0) {
            done = IpsecMb.flush_job(mgr);
        }
        if (done != job || ImbJob.status(manager, done) != ImbJob.IMB_STATUS_COMPLETED) {
            throw jobFailed(done);
        }
    }

    private IllegalStateException jobFailed(long done) {
        int err = IpsecMbLibrary.imb_get_errno(mgr);
        return new IllegalStateException("intel-ipsec-mb ChaCha20-Poly1305 job failed: "
                + (done == 0 ? "no job returned" : "status " + ImbJob.status(manager, done))
                + (err != 0 ? " (" + IpsecMbLibrary.imb_get_strerror(err) + ")" : ""));
    }

    /** Zeroes nonce, computed tag and GCM context (keystream-derived state), frees everything. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        block.fill((byte) 0);
        IpsecMb.freeManager(manager);
        arena.close();
    }
}

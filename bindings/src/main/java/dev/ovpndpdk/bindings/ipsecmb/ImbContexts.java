package dev.ovpndpdk.bindings.ipsecmb;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The key-schedule and per-operation context structs of the direct AEAD API
 * ({@code intel-ipsec-mb.h}, 1.3). We allocate them ourselves in native memory, so only
 * their sizes and alignments matter; the fields are named for the layout test.
 */
public final class ImbContexts {
    private ImbContexts() {
    }

    private static MemoryLayout bytes(long n, String name) {
        return MemoryLayout.sequenceLayout(n, JAVA_BYTE).withName(name);
    }

    /**
     * {@code struct gcm_key_data}: AES round keys and the GHASH key powers, written by
     * {@code gcm*_pre} and read-only afterwards. The library itself is built with
     * {@code -DLINUX}, which gives the struct {@code aligned(64)} and so 1024 bytes; a program
     * that includes the header without {@code LINUX} sees 1008 bytes, alignment 1. We always
     * allocate the larger, aligned form.
     */
    public static final StructLayout GCM_KEY_DATA = MemoryLayout.structLayout(
            bytes(16 * 15, "expanded_keys"),
            bytes(16 * 48, "ghash_keys"), // union; the VAES/AVX-512 member is the largest
            MemoryLayout.paddingLayout(16)
    ).withByteAlignment(64).withName("gcm_key_data");

    /** {@code struct gcm_context_data}: the running state of one GCM operation. */
    public static final StructLayout GCM_CONTEXT_DATA = MemoryLayout.structLayout(
            bytes(16, "aad_hash"),
            JAVA_LONG.withName("aad_length"),
            JAVA_LONG.withName("in_length"),
            bytes(16, "partial_block_enc_key"),
            bytes(16, "orig_IV"),
            bytes(16, "current_counter"),
            JAVA_LONG.withName("partial_block_length")
    ).withName("gcm_context_data");

    /** {@code struct chacha20_poly1305_context_data}: state of the init/update/finalize API. */
    public static final StructLayout CHACHA20_POLY1305_CONTEXT_DATA = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("hash"),
            JAVA_LONG.withName("aad_len"),
            JAVA_LONG.withName("hash_len"),
            bytes(64, "last_ks"),
            bytes(32, "poly_key"),
            bytes(16, "poly_scratch"),
            JAVA_LONG.withName("last_block_count"),
            JAVA_LONG.withName("remain_ks_bytes"),
            JAVA_LONG.withName("remain_ct_bytes"),
            bytes(12, "IV"),
            MemoryLayout.paddingLayout(4)
    ).withName("chacha20_poly1305_context_data");

    public static final long GCM_KEY_DATA_SIZE = GCM_KEY_DATA.byteSize();
    public static final long GCM_KEY_DATA_ALIGN = GCM_KEY_DATA.byteAlignment();
    public static final long GCM_CONTEXT_DATA_SIZE = GCM_CONTEXT_DATA.byteSize();
    public static final long CHACHA20_POLY1305_CONTEXT_DATA_SIZE = CHACHA20_POLY1305_CONTEXT_DATA.byteSize();
}

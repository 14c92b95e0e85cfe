package dev.ovpndpdk.bindings.ipsecmb;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code IMB_JOB} ({@code intel-ipsec-mb.h}, 1.3) and the enum values we put into it. The job
 * API is how we run ChaCha20-Poly1305: the library's one-shot AEAD behind {@code submit_job}
 * is faster than its init/update/finalize functions (6.1 vs 4.1 M ops/s at 64 bytes measured
 * in C here, see docs/crypto.md). Unions are modelled by the one member we use.
 */
public final class ImbJob {
    private ImbJob() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("enc_keys"),
            ADDRESS.withName("dec_keys"),
            JAVA_LONG.withName("key_len_in_bytes"),
            ADDRESS.withName("src"),
            ADDRESS.withName("dst"),
            JAVA_LONG.withName("cipher_start_src_offset_in_bytes"),
            JAVA_LONG.withName("msg_len_to_cipher_in_bytes"),
            JAVA_LONG.withName("hash_start_src_offset_in_bytes"),
            JAVA_LONG.withName("msg_len_to_hash_in_bytes"),
            ADDRESS.withName("iv"),
            JAVA_LONG.withName("iv_len_in_bytes"),
            ADDRESS.withName("auth_tag_output"),
            JAVA_LONG.withName("auth_tag_output_len_in_bytes"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            ADDRESS.withName("aad"),
                            JAVA_LONG.withName("aad_len_in_bytes"),
                            ADDRESS.withName("ctx")).withName("CHACHA20_POLY1305")).withName("u"),
            JAVA_INT.withName("status"),
            JAVA_INT.withName("cipher_mode"),
            JAVA_INT.withName("cipher_direction"),
            JAVA_INT.withName("hash_alg"),
            JAVA_INT.withName("chain_order"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("user_data"),
            ADDRESS.withName("user_data2"),
            ADDRESS.withName("cipher_func"),
            ADDRESS.withName("hash_func"),
            JAVA_INT.withName("sgl_state"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("cipher_fields")
    ).withName("IMB_JOB");

    private static long offset(String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = PathElement.groupElement(path[i]);
        }
        return LAYOUT.byteOffset(p);
    }

    public static final long enc_keys$OFFSET = offset("enc_keys");
    public static final long dec_keys$OFFSET = offset("dec_keys");
    public static final long key_len_in_bytes$OFFSET = offset("key_len_in_bytes");
    public static final long src$OFFSET = offset("src");
    public static final long dst$OFFSET = offset("dst");
    public static final long cipher_start_src_offset_in_bytes$OFFSET = offset("cipher_start_src_offset_in_bytes");
    public static final long msg_len_to_cipher_in_bytes$OFFSET = offset("msg_len_to_cipher_in_bytes");
    public static final long hash_start_src_offset_in_bytes$OFFSET = offset("hash_start_src_offset_in_bytes");
    public static final long msg_len_to_hash_in_bytes$OFFSET = offset("msg_len_to_hash_in_bytes");
    public static final long iv$OFFSET = offset("iv");
    public static final long iv_len_in_bytes$OFFSET = offset("iv_len_in_bytes");
    public static final long auth_tag_output$OFFSET = offset("auth_tag_output");
    public static final long auth_tag_output_len_in_bytes$OFFSET = offset("auth_tag_output_len_in_bytes");
    public static final long chacha_aad$OFFSET = offset("u", "CHACHA20_POLY1305", "aad");
    public static final long chacha_aad_len_in_bytes$OFFSET = offset("u", "CHACHA20_POLY1305", "aad_len_in_bytes");
    public static final long status$OFFSET = offset("status");
    public static final long cipher_mode$OFFSET = offset("cipher_mode");
    public static final long cipher_direction$OFFSET = offset("cipher_direction");
    public static final long hash_alg$OFFSET = offset("hash_alg");
    public static final long chain_order$OFFSET = offset("chain_order");

    public static final int IMB_CIPHER_CHACHA20_POLY1305 = 19;
    public static final int IMB_AUTH_CHACHA20_POLY1305 = 29;
    public static final int IMB_DIR_ENCRYPT = 1;
    public static final int IMB_DIR_DECRYPT = 2;
    public static final int IMB_ORDER_CIPHER_HASH = 1;
    public static final int IMB_ORDER_HASH_CIPHER = 2;
    public static final int IMB_STATUS_COMPLETED = 3;
    public static final long CHACHA20_KEY_LEN = 32;
    public static final long IV_LEN = 12;
    public static final long TAG_LEN = 16;

    /**
     * Fills the job at {@code job} for one in-place ChaCha20-Poly1305 AEAD operation (RFC 8439
     * §2.8). {@code mgr} is the manager the job came from, sized to cover it: jobs live in
     * {@code IMB_MGR.jobs[]}, so the writes are bounds-checked against the manager and a
     * job pointer outside it throws instead of scribbling. Every field the AEAD reads is
     * written, because {@code get_next_job} hands back recycled slots.
     *
     * @param encrypt true for seal (cipher then hash), false for open (hash then cipher)
     */
    public static void fillChachaPoly(MemorySegment mgr, long job, boolean encrypt, long key,
                                      long data, long len, long iv, long aad, long aadLen, long tag) {
        long j = job - mgr.address();
        mgr.set(JAVA_LONG, j + enc_keys$OFFSET, key);
        mgr.set(JAVA_LONG, j + dec_keys$OFFSET, key);
        mgr.set(JAVA_LONG, j + key_len_in_bytes$OFFSET, CHACHA20_KEY_LEN);
        mgr.set(JAVA_LONG, j + src$OFFSET, data);
        mgr.set(JAVA_LONG, j + dst$OFFSET, data);
        mgr.set(JAVA_LONG, j + cipher_start_src_offset_in_bytes$OFFSET, 0L);
        mgr.set(JAVA_LONG, j + msg_len_to_cipher_in_bytes$OFFSET, len);
        mgr.set(JAVA_LONG, j + hash_start_src_offset_in_bytes$OFFSET, 0L);
        mgr.set(JAVA_LONG, j + msg_len_to_hash_in_bytes$OFFSET, len);
        mgr.set(JAVA_LONG, j + iv$OFFSET, iv);
        mgr.set(JAVA_LONG, j + iv_len_in_bytes$OFFSET, IV_LEN);
        mgr.set(JAVA_LONG, j + auth_tag_output$OFFSET, tag);
        mgr.set(JAVA_LONG, j + auth_tag_output_len_in_bytes$OFFSET, TAG_LEN);
        mgr.set(JAVA_LONG, j + chacha_aad$OFFSET, aad);
        mgr.set(JAVA_LONG, j + chacha_aad_len_in_bytes$OFFSET, aadLen);
        mgr.set(JAVA_INT, j + cipher_mode$OFFSET, IMB_CIPHER_CHACHA20_POLY1305);
        mgr.set(JAVA_INT, j + hash_alg$OFFSET, IMB_AUTH_CHACHA20_POLY1305);
        mgr.set(JAVA_INT, j + cipher_direction$OFFSET, encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT);
        mgr.set(JAVA_INT, j + chain_order$OFFSET, encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER);
    }

    /** {@code IMB_STATUS} of a job returned by submit/flush; {@link #IMB_STATUS_COMPLETED} on success. */
    public static int status(MemorySegment mgr, long job) {
        return mgr.get(JAVA_INT, job - mgr.address() + status$OFFSET);
    }
}

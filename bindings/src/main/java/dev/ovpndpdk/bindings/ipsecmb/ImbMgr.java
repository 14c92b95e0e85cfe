package dev.ovpndpdk.bindings.ipsecmb;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The head of {@code IMB_MGR} ({@code intel-ipsec-mb.h}, 1.3): the fields we read, with the
 * header's other members as padding. The library fills the function pointers in
 * {@code init_mb_mgr_auto()} with the best implementation for this CPU (SSE … VAES/AVX-512);
 * we copy them out once and link downcalls to them ({@link IpsecMb}).
 *
 * <p>The header's ABI rule ("always include function pointers at the end of the list, before
 * earliest_job") keeps these offsets valid for all of 1.x; the struct grows only after them.
 * {@code IpsecMbLayoutTest} compiles a C probe against the installed header and checks every
 * named field and size here.
 */
public final class ImbMgr {
    private ImbMgr() {
    }

    /** Pointer slots between two named groups, each covering header members we never call. */
    private static MemoryLayout pointers(int n) {
        return MemoryLayout.paddingLayout(8L * n);
    }

    public static final StructLayout HEAD_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("features"),
            MemoryLayout.sequenceLayout(5, JAVA_LONG).withName("reserved"),
            JAVA_INT.withName("used_arch"),
            JAVA_INT.withName("imb_errno"),
            ADDRESS.withName("get_next_job"),
            ADDRESS.withName("submit_job"),
            ADDRESS.withName("submit_job_nocheck"),
            ADDRESS.withName("get_completed_job"),
            ADDRESS.withName("flush_job"),
            pointers(19), // queue_size, keyexp_*, cmac/xcbc, des, sha*/md5, aes128_cfb_one
            ADDRESS.withName("gcm128_enc"),
            ADDRESS.withName("gcm192_enc"),
            ADDRESS.withName("gcm256_enc"),
            ADDRESS.withName("gcm128_dec"),
            ADDRESS.withName("gcm192_dec"),
            ADDRESS.withName("gcm256_dec"),
            pointers(18), // gcm*_init, gcm*_{enc,dec}_update, gcm*_{enc,dec}_finalize, gcm*_precomp
            ADDRESS.withName("gcm128_pre"),
            ADDRESS.withName("gcm192_pre"),
            ADDRESS.withName("gcm256_pre"),
            pointers(56), // zuc, kasumi, snow3g, ghash, gmac, hec, crc
            ADDRESS.withName("chacha20_poly1305_init"),
            ADDRESS.withName("chacha20_poly1305_enc_update"),
            ADDRESS.withName("chacha20_poly1305_dec_update"),
            ADDRESS.withName("chacha20_poly1305_finalize")
    ).withName("IMB_MGR");

    private static long offset(String field) {
        return HEAD_LAYOUT.byteOffset(PathElement.groupElement(field));
    }

    public static final long flags$OFFSET = offset("flags");
    public static final long features$OFFSET = offset("features");
    public static final long used_arch$OFFSET = offset("used_arch");
    public static final long imb_errno$OFFSET = offset("imb_errno");
    public static final long get_next_job$OFFSET = offset("get_next_job");
    public static final long submit_job$OFFSET = offset("submit_job");
    public static final long flush_job$OFFSET = offset("flush_job");
    public static final long gcm128_enc$OFFSET = offset("gcm128_enc");
    public static final long gcm192_enc$OFFSET = offset("gcm192_enc");
    public static final long gcm256_enc$OFFSET = offset("gcm256_enc");
    public static final long gcm128_dec$OFFSET = offset("gcm128_dec");
    public static final long gcm192_dec$OFFSET = offset("gcm192_dec");
    public static final long gcm256_dec$OFFSET = offset("gcm256_dec");
    public static final long gcm128_pre$OFFSET = offset("gcm128_pre");
    public static final long gcm192_pre$OFFSET = offset("gcm192_pre");
    public static final long gcm256_pre$OFFSET = offset("gcm256_pre");
    public static final long chacha20_poly1305_init$OFFSET = offset("chacha20_poly1305_init");
    public static final long chacha20_poly1305_enc_update$OFFSET = offset("chacha20_poly1305_enc_update");
    public static final long chacha20_poly1305_dec_update$OFFSET = offset("chacha20_poly1305_dec_update");
    public static final long chacha20_poly1305_finalize$OFFSET = offset("chacha20_poly1305_finalize");

    /** {@code IMB_ARCH}: what {@code init_mb_mgr_auto()} chose, indexed by the enum value. */
    public static final String[] ARCH_NAMES = {"none", "no-aesni", "sse", "avx", "avx2", "avx512"};
    public static final int IMB_ARCH_NOAESNI = 1;
    public static final int IMB_ARCH_AVX512 = 5;

    /** {@code IMB_FEATURE_*} bits of {@code features} that we report in the start-up line. */
    public static final long IMB_FEATURE_AESNI = 1L << 1;
    public static final long IMB_FEATURE_AVX2 = 1L << 6;
    public static final long IMB_FEATURE_AVX512F = 1L << 7;
    public static final long IMB_FEATURE_VAES = 1L << 12;
    public static final long IMB_FEATURE_VPCLMULQDQ = 1L << 13;

    /** Human-readable architecture name, e.g. {@code avx512}; {@code arch(n)} for unknown values. */
    public static String archName(int arch) {
        return arch >= 0 && arch < ARCH_NAMES.length ? ARCH_NAMES[arch] : "arch(" + arch + ")";
    }
}

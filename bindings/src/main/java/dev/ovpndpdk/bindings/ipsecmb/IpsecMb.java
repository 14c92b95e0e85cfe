package dev.ovpndpdk.bindings.ipsecmb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static dev.ovpndpdk.bindings.ipsecmb.IpsecMbLibrary.unexpected;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The intel-ipsec-mb crypto entry points, as downcalls to the function pointers that
 * {@code init_mb_mgr_auto()} puts into an {@code IMB_MGR} for this CPU.
 *
 * <p>At class initialisation one probe manager is allocated and initialised, its function
 * pointers are copied out, and it is freed: the direct GCM/ChaCha functions take no manager,
 * and managers initialised for the same CPU hold the same pointers (checked in
 * {@link #newManager()}). Each pointer becomes a {@code static final} handle, which the JIT
 * inlines like a call to a constant address, linked {@link Linker.Option#critical critical}:
 * these calls are short and never block, so the Java-to-native thread-state transition (and
 * its safepoint poll) is skipped. Pointers are passed as {@code long} addresses
 * ({@code segment.address() + offset}), so a call allocates nothing.
 *
 * <p>Every method here trusts its arguments: addresses must point to live native memory of
 * the right size. The AEAD engine in {@code aesni} does the checking.
 */
public final class IpsecMb {

    private record Probe(String failure, MemorySegment table, int arch, long features, long managerSize) {
    }

    private static final Probe PROBE = probe();

    private static final FunctionDescriptor GCM_ENC_DEC = FunctionDescriptor.ofVoid(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor GCM_PRE = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor CHACHA_INIT = FunctionDescriptor.ofVoid(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor CHACHA_UPDATE = FunctionDescriptor.ofVoid(
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor CHACHA_FINALIZE = FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor JOB_FN = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);

    private static final MethodHandle GCM128_ENC = fn(ImbMgr.gcm128_enc$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM192_ENC = fn(ImbMgr.gcm192_enc$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM256_ENC = fn(ImbMgr.gcm256_enc$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM128_DEC = fn(ImbMgr.gcm128_dec$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM192_DEC = fn(ImbMgr.gcm192_dec$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM256_DEC = fn(ImbMgr.gcm256_dec$OFFSET, GCM_ENC_DEC);
    private static final MethodHandle GCM128_PRE = fn(ImbMgr.gcm128_pre$OFFSET, GCM_PRE);
    private static final MethodHandle GCM192_PRE = fn(ImbMgr.gcm192_pre$OFFSET, GCM_PRE);
    private static final MethodHandle GCM256_PRE = fn(ImbMgr.gcm256_pre$OFFSET, GCM_PRE);
    private static final MethodHandle CHACHA_POLY_INIT = fn(ImbMgr.chacha20_poly1305_init$OFFSET, CHACHA_INIT);
    private static final MethodHandle CHACHA_POLY_ENC_UPDATE = fn(ImbMgr.chacha20_poly1305_enc_update$OFFSET, CHACHA_UPDATE);
    private static final MethodHandle CHACHA_POLY_DEC_UPDATE = fn(ImbMgr.chacha20_poly1305_dec_update$OFFSET, CHACHA_UPDATE);
    private static final MethodHandle CHACHA_POLY_FINALIZE = fn(ImbMgr.chacha20_poly1305_finalize$OFFSET, CHACHA_FINALIZE);
    private static final MethodHandle GET_NEXT_JOB = fn(ImbMgr.get_next_job$OFFSET, JOB_FN);
    private static final MethodHandle SUBMIT_JOB = fn(ImbMgr.submit_job$OFFSET, JOB_FN);
    private static final MethodHandle FLUSH_JOB = fn(ImbMgr.flush_job$OFFSET, JOB_FN);

    private IpsecMb() {
    }

    /** True when the library loaded, has a known version and initialised a manager here. */
    public static boolean isAvailable() {
        return PROBE.failure == null;
    }

    /** Why {@link #isAvailable()} is false, naming the package to install; null when available. */
    public static String unavailableReason() {
        return PROBE.failure;
    }

    /** {@code IMB_ARCH} that {@code init_mb_mgr_auto} chose ({@link ImbMgr#archName}). */
    public static int arch() {
        return PROBE.arch;
    }

    /** {@code IMB_FEATURE_*} bits the library detected. */
    public static long features() {
        return PROBE.features;
    }

    /** One line for the start-up log, e.g. {@code intel-ipsec-mb 1.3.0, avx512 (VAES, VPCLMULQDQ)}. */
    public static String describe() {
        if (!isAvailable()) {
            return "intel-ipsec-mb unavailable: " + PROBE.failure;
        }
        long f = PROBE.features;
        List<String> notes = new ArrayList<>();
        if ((f & ImbMgr.IMB_FEATURE_VAES) != 0) {
            notes.add("VAES");
        }
        if ((f & ImbMgr.IMB_FEATURE_VPCLMULQDQ) != 0) {
            notes.add("VPCLMULQDQ");
        }
        if ((f & ImbMgr.IMB_FEATURE_AESNI) == 0) {
            notes.add("no AES-NI: emulated, slow");
        }
        return "intel-ipsec-mb " + IpsecMbLibrary.imb_get_version_str() + ", " + ImbMgr.archName(PROBE.arch)
                + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
    }

    private static Probe probe() {
        if (!IpsecMbLibrary.isAvailable()) {
            return new Probe(IpsecMbLibrary.unavailableReason(), null, 0, 0, 0);
        }
        String lib = IpsecMbLibrary.libraryName();
        long mgr = IpsecMbLibrary.alloc_mb_mgr(0);
        if (mgr == 0) {
            return new Probe(lib + ": alloc_mb_mgr failed (out of memory?)", null, 0, 0, 0);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment archOut = arena.allocate(JAVA_INT);
            archOut.set(JAVA_INT, 0, -1);
            IpsecMbLibrary.init_mb_mgr_auto(mgr, archOut.address());
            int err = IpsecMbLibrary.imb_get_errno(mgr);
            if (err != 0) {
                return new Probe(lib + ": init_mb_mgr_auto failed: " + IpsecMbLibrary.imb_get_strerror(err), null, 0, 0, 0);
            }
            MemorySegment head = MemorySegment.ofAddress(mgr).reinterpret(ImbMgr.HEAD_LAYOUT.byteSize());
            int arch = archOut.get(JAVA_INT, 0);
            // The library wrote the chosen arch both to our out-parameter and into the manager:
            // agreeing values (and the flags we passed) say our view of the struct is right.
            if (head.get(JAVA_INT, ImbMgr.used_arch$OFFSET) != arch || head.get(JAVA_LONG, ImbMgr.flags$OFFSET) != 0
                    || arch < ImbMgr.IMB_ARCH_NOAESNI) {
                return new Probe(lib + ": IMB_MGR layout is not the one this binding expects (used_arch "
                        + head.get(JAVA_INT, ImbMgr.used_arch$OFFSET) + ", init reported " + arch
                        + "); need intel-ipsec-mb 1.3 <= version < 2.0", null, 0, 0, 0);
            }
            MemorySegment table = Arena.global().allocate(ImbMgr.HEAD_LAYOUT);
            table.copyFrom(head);
            for (long off : new long[] {ImbMgr.get_next_job$OFFSET, ImbMgr.submit_job$OFFSET, ImbMgr.flush_job$OFFSET,
                    ImbMgr.gcm128_enc$OFFSET, ImbMgr.gcm192_enc$OFFSET, ImbMgr.gcm256_enc$OFFSET,
                    ImbMgr.gcm128_dec$OFFSET, ImbMgr.gcm192_dec$OFFSET, ImbMgr.gcm256_dec$OFFSET,
                    ImbMgr.gcm128_pre$OFFSET, ImbMgr.gcm192_pre$OFFSET, ImbMgr.gcm256_pre$OFFSET,
                    ImbMgr.chacha20_poly1305_init$OFFSET, ImbMgr.chacha20_poly1305_enc_update$OFFSET,
                    ImbMgr.chacha20_poly1305_dec_update$OFFSET, ImbMgr.chacha20_poly1305_finalize$OFFSET}) {
                if (table.get(JAVA_LONG, off) == 0) {
                    return new Probe(lib + ": IMB_MGR has a null function pointer at offset " + off
                            + "; need intel-ipsec-mb 1.3 <= version < 2.0", null, 0, 0, 0);
                }
            }
            return new Probe(null, table, arch, head.get(JAVA_LONG, ImbMgr.features$OFFSET),
                    IpsecMbLibrary.imb_get_mb_mgr_size());
        } finally {
            IpsecMbLibrary.free_mb_mgr(mgr);
        }
    }

    private static MethodHandle fn(long offset, FunctionDescriptor fd) {
        if (PROBE.failure != null) {
            return null;
        }
        return IpsecMbLibrary.LINKER.downcallHandle(PROBE.table.get(ADDRESS, offset), fd, Linker.Option.critical(false));
    }

    private static void requireAvailable() {
        if (PROBE.failure != null) {
            throw new UnsupportedOperationException(PROBE.failure);
        }
    }

    /**
     * A manager of its own for a thread that uses the job API (ChaCha20-Poly1305): the job
     * queue is per-manager state. The segment spans the whole allocation, so job fields inside
     * it can be written through it ({@link ImbJob#fillChachaPoly}); free with
     * {@link #freeManager}.
     *
     * @throws IllegalStateException when the library fails to allocate or initialise it
     */
    public static MemorySegment newManager() {
        requireAvailable();
        long mgr = IpsecMbLibrary.alloc_mb_mgr(0);
        if (mgr == 0) {
            throw new IllegalStateException("alloc_mb_mgr failed (out of memory?)");
        }
        IpsecMbLibrary.init_mb_mgr_auto(mgr, 0);
        MemorySegment m = MemorySegment.ofAddress(mgr).reinterpret(PROBE.managerSize);
        int err = IpsecMbLibrary.imb_get_errno(mgr);
        // The static handles call the probe's pointers with this manager: they must agree.
        if (err != 0 || m.get(JAVA_LONG, ImbMgr.submit_job$OFFSET) != PROBE.table.get(JAVA_LONG, ImbMgr.submit_job$OFFSET)) {
            IpsecMbLibrary.free_mb_mgr(mgr);
            throw new IllegalStateException("init_mb_mgr_auto: " + (err != 0 ? IpsecMbLibrary.imb_get_strerror(err)
                    : "chose other implementations than at start-up"));
        }
        return m;
    }

    public static void freeManager(MemorySegment mgr) {
        IpsecMbLibrary.free_mb_mgr(mgr.address());
    }

    // ---- direct AES-GCM API: (key_data, ctx, out, in, len, iv[12], aad, aad_len, tag, tag_len)

    public static void gcm128_enc(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM128_ENC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void gcm192_enc(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM192_ENC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void gcm256_enc(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM256_ENC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Decrypts and writes the <em>computed</em> tag to {@code tag}; comparing is the caller's job. */
    public static void gcm128_dec(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM128_DEC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void gcm192_dec(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM192_DEC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void gcm256_dec(long key, long ctx, long out, long in, long len, long iv, long aad, long aadLen, long tag, long tagLen) {
        try {
            GCM256_DEC.invokeExact(key, ctx, out, in, len, iv, aad, aadLen, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Expands a raw AES key into a {@code gcm_key_data} (round keys and GHASH key powers). */
    public static void gcm128_pre(long rawKey, long keyData) {
        pre(GCM128_PRE, rawKey, keyData);
    }

    public static void gcm192_pre(long rawKey, long keyData) {
        pre(GCM192_PRE, rawKey, keyData);
    }

    public static void gcm256_pre(long rawKey, long keyData) {
        pre(GCM256_PRE, rawKey, keyData);
    }

    private static void pre(MethodHandle h, long rawKey, long keyData) {
        requireAvailable();
        try {
            h.invokeExact(rawKey, keyData);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- direct ChaCha20-Poly1305 API (init/update/finalize), key is the raw 32 bytes

    public static void chacha20_poly1305_init(long key, long ctx, long iv, long aad, long aadLen) {
        try {
            CHACHA_POLY_INIT.invokeExact(key, ctx, iv, aad, aadLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void chacha20_poly1305_enc_update(long key, long ctx, long out, long in, long len) {
        try {
            CHACHA_POLY_ENC_UPDATE.invokeExact(key, ctx, out, in, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void chacha20_poly1305_dec_update(long key, long ctx, long out, long in, long len) {
        try {
            CHACHA_POLY_DEC_UPDATE.invokeExact(key, ctx, out, in, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void chacha20_poly1305_finalize(long ctx, long tag, long tagLen) {
        try {
            CHACHA_POLY_FINALIZE.invokeExact(ctx, tag, tagLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- job API, on a manager from newManager(): returns an IMB_JOB address or 0

    public static long get_next_job(long mgr) {
        try {
            return (long) GET_NEXT_JOB.invokeExact(mgr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long submit_job(long mgr) {
        try {
            return (long) SUBMIT_JOB.invokeExact(mgr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long flush_job(long mgr) {
        try {
            return (long) FLUSH_JOB.invokeExact(mgr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

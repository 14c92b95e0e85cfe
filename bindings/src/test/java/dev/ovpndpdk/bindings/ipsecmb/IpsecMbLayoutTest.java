package dev.ovpndpdk.bindings.ipsecmb;

import dev.ovpndpdk.bindings.CProbe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compiles {@code src/test/c/ipsecmb_layout.c} against the installed
 * {@code intel-ipsec-mb.h} and checks every offset, size and constant the bindings encode
 * against what the C compiler says. Skipped where gcc or the header is missing.
 */
class IpsecMbLayoutTest {

    private static final Path SOURCE = Path.of("src/test/c/ipsecmb_layout.c");
    private static final Path BINARY = Path.of("target/ipsecmb-layout-probe");
    private static final List<Path> HEADERS = List.of(
            Path.of("/usr/include/intel-ipsec-mb.h"), Path.of("/usr/local/include/intel-ipsec-mb.h"));

    private static CProbe probe;

    @BeforeAll
    static void compileAndRunProbe() throws Exception {
        assumeTrue(HEADERS.stream().anyMatch(Files::exists),
                "intel-ipsec-mb.h not found in " + HEADERS + " (install libipsec-mb-dev); layout not checked");
        assumeTrue(CProbe.run(List.of("gcc", "--version")) != null, "gcc not found; layout not checked");
        probe = CProbe.compileAndRun(List.of("gcc", "-std=c11", "-Wall", "-Werror", "-DLINUX", "-I/usr/local/include"),
                SOURCE, BINARY);
    }

    private static long c(String key) {
        return probe.get(key);
    }

    @Test
    void imbMgrHeadMatchesTheHeader() {
        probe.assertOffsets(ImbMgr.HEAD_LAYOUT, inner -> true);
        assertTrue(ImbMgr.HEAD_LAYOUT.byteSize() <= c("sizeof.IMB_MGR"), "head inside IMB_MGR");
    }

    @Test
    void imbJobMatchesTheHeader() {
        probe.assertOffsets(ImbJob.LAYOUT, inner -> true);
        probe.assertSizeAndAlignment(ImbJob.LAYOUT);
    }

    @Test
    void contextStructsMatchTheHeader() {
        for (StructLayout s : List.of(ImbContexts.GCM_KEY_DATA, ImbContexts.GCM_CONTEXT_DATA,
                ImbContexts.CHACHA20_POLY1305_CONTEXT_DATA)) {
            probe.assertOffsets(s, inner -> true);
            probe.assertSizeAndAlignment(s);
        }
        assertEquals(1024, ImbContexts.GCM_KEY_DATA_SIZE);
        assertEquals(64, ImbContexts.GCM_KEY_DATA_ALIGN);
    }

    /** The {@code $OFFSET} constants the engine uses, field by field. */
    @Test
    void offsetConstantsMatchTheHeader() throws IllegalAccessException {
        Map<String, String> alias = Map.of(
                "chacha_aad", "u.CHACHA20_POLY1305.aad",
                "chacha_aad_len_in_bytes", "u.CHACHA20_POLY1305.aad_len_in_bytes");
        List<String> checked = new ArrayList<>();
        for (Class<?> k : List.of(ImbMgr.class, ImbJob.class)) {
            String struct = k == ImbMgr.class ? "IMB_MGR" : "IMB_JOB";
            for (Field f : k.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("$OFFSET")) {
                    String member = f.getName().substring(0, f.getName().length() - "$OFFSET".length());
                    String key = struct + "." + alias.getOrDefault(member, member);
                    assertEquals(c(key), f.getLong(null), key);
                    checked.add(key);
                }
            }
        }
        assertTrue(checked.size() >= 39, "checked " + checked);
    }

    @Test
    void enumAndFeatureConstantsMatchTheHeader() {
        assertEquals(c("const.IMB_CIPHER_CHACHA20_POLY1305"), ImbJob.IMB_CIPHER_CHACHA20_POLY1305);
        assertEquals(c("const.IMB_AUTH_CHACHA20_POLY1305"), ImbJob.IMB_AUTH_CHACHA20_POLY1305);
        assertEquals(c("const.IMB_DIR_ENCRYPT"), ImbJob.IMB_DIR_ENCRYPT);
        assertEquals(c("const.IMB_DIR_DECRYPT"), ImbJob.IMB_DIR_DECRYPT);
        assertEquals(c("const.IMB_ORDER_CIPHER_HASH"), ImbJob.IMB_ORDER_CIPHER_HASH);
        assertEquals(c("const.IMB_ORDER_HASH_CIPHER"), ImbJob.IMB_ORDER_HASH_CIPHER);
        assertEquals(c("const.IMB_STATUS_COMPLETED"), ImbJob.IMB_STATUS_COMPLETED);
        assertEquals(c("const.IMB_GCM_IV_DATA_LEN"), ImbJob.IV_LEN);
        assertEquals(c("const.IMB_MAX_TAG_LEN"), ImbJob.TAG_LEN);
        assertEquals(c("const.IMB_ARCH_NOAESNI"), ImbMgr.IMB_ARCH_NOAESNI);
        assertEquals(c("const.IMB_ARCH_AVX512"), ImbMgr.IMB_ARCH_AVX512);
        assertEquals(c("const.IMB_ARCH_NUM"), ImbMgr.ARCH_NAMES.length);
        assertEquals(c("const.IMB_FEATURE_AESNI"), ImbMgr.IMB_FEATURE_AESNI);
        assertEquals(c("const.IMB_FEATURE_AVX2"), ImbMgr.IMB_FEATURE_AVX2);
        assertEquals(c("const.IMB_FEATURE_AVX512F"), ImbMgr.IMB_FEATURE_AVX512F);
        assertEquals(c("const.IMB_FEATURE_VAES"), ImbMgr.IMB_FEATURE_VAES);
        assertEquals(c("const.IMB_FEATURE_VPCLMULQDQ"), ImbMgr.IMB_FEATURE_VPCLMULQDQ);
    }

    @Test
    void installedHeaderIsAVersionWeAccept() {
        long v = c("const.IMB_VERSION_NUM");
        assertTrue(v >= IpsecMbLibrary.MIN_VERSION && v < IpsecMbLibrary.END_VERSION,
                "header is intel-ipsec-mb " + IpsecMbLibrary.versionString((int) v));
    }
}

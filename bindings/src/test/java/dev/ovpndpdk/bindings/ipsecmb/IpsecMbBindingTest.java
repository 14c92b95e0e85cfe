package dev.ovpndpdk.bindings.ipsecmb;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The raw bindings against {@code javax.crypto}: one call of each kind we link (direct GCM,
 * direct ChaCha20-Poly1305, the job API) must produce the JCE's ciphertext and tag.
 */
class IpsecMbBindingTest {

    private static final int LEN = 1000;
    private static final int AAD = 8;
    private final Random random = new Random(42);

    @BeforeAll
    static void libraryPresent() {
        assumeTrue(IpsecMb.isAvailable(), "intel-ipsec-mb not available, bindings not exercised: "
                + IpsecMb.unavailableReason());
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] jce(String transformation, String keyAlg, byte[] key, java.security.spec.AlgorithmParameterSpec p,
                              byte[] aad, byte[] plain) throws Exception {
        Cipher c = Cipher.getInstance(transformation);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, keyAlg), p);
        c.updateAAD(aad);
        return c.doFinal(plain); // ciphertext ‖ tag
    }

    /** ciphertext ‖ tag as the JCE lays it out, from our separate regions. */
    private static byte[] joined(MemorySegment data, MemorySegment tag) {
        byte[] out = new byte[(int) (data.byteSize() + tag.byteSize())];
        MemorySegment.copy(data, JAVA_BYTE, 0, out, 0, (int) data.byteSize());
        MemorySegment.copy(tag, JAVA_BYTE, 0, out, (int) data.byteSize(), (int) tag.byteSize());
        return out;
    }

    @Test
    void versionAndArchitectureAreReported() {
        int v = IpsecMbLibrary.imb_get_version();
        assertTrue(v >= IpsecMbLibrary.MIN_VERSION && v < IpsecMbLibrary.END_VERSION);
        assertEquals(IpsecMbLibrary.versionString(v), IpsecMbLibrary.imb_get_version_str());
        assertTrue(IpsecMb.arch() >= ImbMgr.IMB_ARCH_NOAESNI, IpsecMb.describe());
        assertTrue(IpsecMb.describe().startsWith("intel-ipsec-mb 1."), IpsecMb.describe());
    }

    @Test
    void directGcm256MatchesTheJdk() throws Exception {
        byte[] key = bytes(32);
        byte[] iv = bytes(12);
        byte[] aad = bytes(AAD);
        byte[] plain = bytes(LEN);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment raw = a.allocateFrom(JAVA_BYTE, key);
            MemorySegment keyData = a.allocate(ImbContexts.GCM_KEY_DATA);
            MemorySegment ctx = a.allocate(ImbContexts.GCM_CONTEXT_DATA);
            MemorySegment ivs = a.allocateFrom(JAVA_BYTE, iv);
            MemorySegment aads = a.allocateFrom(JAVA_BYTE, aad);
            MemorySegment data = a.allocateFrom(JAVA_BYTE, plain);
            MemorySegment tag = a.allocate(16);
            IpsecMb.gcm256_pre(raw.address(), keyData.address());
            IpsecMb.gcm256_enc(keyData.address(), ctx.address(), data.address(), data.address(), LEN,
                    ivs.address(), aads.address(), AAD, tag.address(), 16);
            assertArrayEquals(jce("AES/GCM/NoPadding", "AES", key, new GCMParameterSpec(128, iv), aad, plain),
                    joined(data, tag));

            MemorySegment computed = a.allocate(16);
            IpsecMb.gcm256_dec(keyData.address(), ctx.address(), data.address(), data.address(), LEN,
                    ivs.address(), aads.address(), AAD, computed.address(), 16);
            assertArrayEquals(plain, data.toArray(JAVA_BYTE));
            assertEquals(-1, computed.mismatch(tag), "decrypt recomputes the same tag");
        }
    }

    @Test
    void chachaPolyDirectAndJobApiMatchTheJdk() throws Exception {
        byte[] key = bytes(32);
        byte[] iv = bytes(12);
        byte[] aad = bytes(AAD);
        byte[] plain = bytes(LEN);
        byte[] expected = jce("ChaCha20-Poly1305", "ChaCha20", key, new IvParameterSpec(iv), aad, plain);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocateFrom(JAVA_BYTE, key);
            MemorySegment ivs = a.allocateFrom(JAVA_BYTE, iv);
            MemorySegment aads = a.allocateFrom(JAVA_BYTE, aad);
            MemorySegment tag = a.allocate(16);

            MemorySegment data = a.allocateFrom(JAVA_BYTE, plain);
            MemorySegment ctx = a.allocate(ImbContexts.CHACHA20_POLY1305_CONTEXT_DATA);
            IpsecMb.chacha20_poly1305_init(k.address(), ctx.address(), ivs.address(), aads.address(), AAD);
            IpsecMb.chacha20_poly1305_enc_update(k.address(), ctx.address(), data.address(), data.address(), LEN);
            IpsecMb.chacha20_poly1305_finalize(ctx.address(), tag.address(), 16);
            assertArrayEquals(expected, joined(data, tag), "direct API");

            MemorySegment mgr = IpsecMb.newManager();
            try {
                MemorySegment data2 = a.allocateFrom(JAVA_BYTE, plain);
                long job = IpsecMb.get_next_job(mgr.address());
                assertNotEquals(0, job);
                ImbJob.fillChachaPoly(mgr, job, true, k.address(), data2.address(), LEN, ivs.address(),
                        aads.address(), AAD, tag.address());
                long done = IpsecMb.submit_job(mgr.address());
                while (done == 0) {
                    done = IpsecMb.flush_job(mgr.address());
                }
                assertEquals(job, done);
                assertEquals(ImbJob.IMB_STATUS_COMPLETED, ImbJob.status(mgr, done));
                assertArrayEquals(expected, joined(data2, tag), "job API");
            } finally {
                IpsecMb.freeManager(mgr);
            }
        }
    }
}

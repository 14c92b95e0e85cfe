package dev.ovpndpdk.aesni;

import dev.ovpndpdk.bindings.ipsecmb.IpsecMb;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * AES-128/192/256-GCM and ChaCha20-Poly1305 with intel-ipsec-mb (AES-NI, VAES/AVX-512),
 * zero-copy and in place on native packet memory ({@code --crypto aesni}).
 *
 * <p>AES-GCM goes through the library's direct one-shot functions ({@code gcm*_enc/dec}),
 * ChaCha20-Poly1305 through its job API (faster there, see {@link IpsecMbScratch}). Keys
 * live in native memory we own and are zeroed on close; each thread brings its own
 * {@link IpsecMbScratch}. A call allocates nothing.
 *
 * <p>Before the engine is offered, a self-test seals one packet per cipher and compares it
 * with the JDK's output, so a library whose function table does not match our binding is
 * refused with a message instead of corrupting traffic.
 */
public final class IpsecMbEngine implements AeadEngine {

    private IpsecMbEngine() {
    }

    /** True when libIPSec_MB loads, is a supported 1.x, and passed the self-test. */
    public static boolean isAvailable() {
        return IpsecMb.isAvailable() && SelfTest.FAILURE == null;
    }

    /** Why {@link #isAvailable()} is false (naming the package to install), or null. */
    public static String unavailableReason() {
        return !IpsecMb.isAvailable() ? IpsecMb.unavailableReason() : SelfTest.FAILURE;
    }

    /** @throws IllegalStateException with {@link #unavailableReason()} when not available */
    public static IpsecMbEngine create() {
        if (!isAvailable()) {
            throw new IllegalStateException(unavailableReason());
        }
        return new IpsecMbEngine();
    }

    @Override
    public String name() {
        return "aesni";
    }

    @Override
    public String describe() {
        return IpsecMb.describe();
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return true;
    }

    @Override
    public AeadKey newKey(CipherAlg alg, MemorySegment key) {
        if (key.byteSize() != alg.keyLength()) {
            throw new IllegalArgumentException(alg + " needs a " + alg.keyLength()
                    + "-byte key, got " + key.byteSize());
        }
        return IpsecMbKey.create(alg, key, Arena.ofShared(), true);
    }

    @Override
    public AeadScratch newScratch() {
        return new IpsecMbScratch();
    }

    /** Runs once, on the first {@link #isAvailable()} that finds the library. */
    private static final class SelfTest {
        static final String FAILURE = run();

        private static String run() {
            IpsecMbEngine ours = new IpsecMbEngine();
            JdkAeadEngine jdk = new JdkAeadEngine();
            int aad = 8;
            int tag = CipherAlg.TAG_LENGTH;
            int len = 67; // not a multiple of the block size: exercises the partial-block path
            try (Arena arena = Arena.ofConfined();
                 AeadScratch os = ours.newScratch();
                 AeadScratch js = jdk.newScratch()) {
                for (CipherAlg alg : CipherAlg.values()) {
                    MemorySegment key = arena.allocate(alg.keyLength());
                    MemorySegment a = arena.allocate(aad + tag + len);
                    for (int i = 0; i < a.byteSize(); i++) {
                        a.set(JAVA_BYTE, i, (byte) (i * 13 + alg.ordinal()));
                    }
                    for (int i = 0; i < key.byteSize(); i++) {
                        key.set(JAVA_BYTE, i, (byte) (i * 7 + 1));
                    }
                    MemorySegment b = arena.allocate(a.byteSize()).copyFrom(a);
                    for (int i = 0; i < CipherAlg.NONCE_LENGTH; i++) {
                        os.nonce().set(JAVA_BYTE, i, (byte) (i + 3));
                    }
                    js.nonce().copyFrom(os.nonce());
                    try (AeadKey ok = ours.newKey(alg, key); AeadKey jk = jdk.newKey(alg, key)) {
                        ok.seal(os, a, 0, aad, aad, aad + tag, len);
                        jk.seal(js, b, 0, aad, aad, aad + tag, len);
                        if (a.mismatch(b) != -1 || !ok.open(os, b, 0, aad, aad, aad + tag, len)
                                || !jk.open(js, a, 0, aad, aad, aad + tag, len) || a.mismatch(b) != -1) {
                            return "intel-ipsec-mb " + alg + " self-test failed: its output differs from the JDK's"
                                    + " (a library whose IMB_MGR does not match this binding?); not used";
                        }
                    }
                }
                return null;
            } catch (RuntimeException e) {
                return "intel-ipsec-mb self-test failed: " + e;
            }
        }
    }
}

package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A packet changed anywhere — one bit of AAD, tag or ciphertext, or a different nonce — must
 * make {@code open} return false (not throw), on both engines.
 */
class AeadTamperTest {

    private static final int AAD = 8;
    private static final int DATA = AAD + TestPackets.TAG;

    static List<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (String engine : TestPackets.engineNames()) {
            for (CipherAlg alg : CipherAlg.values()) {
                for (int len : new int[] {0, 1, 15, 16, 17, 100, 1424}) {
                    l.add(Arguments.of(engine, alg, len));
                }
            }
        }
        return l;
    }

    @ParameterizedTest(name = "{0} {1} {2} bytes")
    @MethodSource("cases")
    void anyFlippedBitOrWrongNonceFailsAuthentication(String engineName, CipherAlg alg, int len) {
        AeadEngine engine = TestPackets.engine(engineName);
        Random r = new Random(len * 31L + alg.ordinal());
        byte[] key = new byte[alg.keyLength()];
        byte[] body = new byte[DATA + len];
        r.nextBytes(key);
        r.nextBytes(body);
        try (Arena arena = Arena.ofConfined();
             AeadScratch s = engine.newScratch();
             AeadKey k = engine.newKey(alg, arena.allocateFrom(JAVA_BYTE, key))) {
            byte[] nonce = new byte[CipherAlg.NONCE_LENGTH];
            r.nextBytes(nonce);
            MemorySegment.copy(nonce, 0, s.nonce(), JAVA_BYTE, 0, nonce.length);
            MemorySegment sealed = arena.allocateFrom(JAVA_BYTE, body);
            k.seal(s, sealed, 0, AAD, AAD, DATA, len);
            MemorySegment p = arena.allocate(sealed.byteSize());

            p.copyFrom(sealed);
            assertTrue(k.open(s, p, 0, AAD, AAD, DATA, len), "untouched packet opens");

            // every bit of AAD and tag, and bits spread over the ciphertext
            List<Integer> bits = new ArrayList<>();
            for (int bit = 0; bit < DATA * 8; bit++) {
                bits.add(bit);
            }
            for (int i = 0; i < Math.min(len * 8, 64); i++) {
                bits.add(DATA * 8 + r.nextInt(len * 8));
            }
            if (len > 0) {
                bits.add((DATA + len) * 8 - 1);
            }
            for (int bit : bits) {
                p.copyFrom(sealed);
                p.set(JAVA_BYTE, bit / 8, (byte) (p.get(JAVA_BYTE, bit / 8) ^ (1 << (bit % 8))));
                assertFalse(k.open(s, p, 0, AAD, AAD, DATA, len), "bit " + bit + " flipped");
            }

            p.copyFrom(sealed);
            s.nonce().set(JAVA_BYTE, 11, (byte) (nonce[11] ^ 0x80));
            assertFalse(k.open(s, p, 0, AAD, AAD, DATA, len), "wrong nonce");
        }
    }
}

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

import static dev.ovpndpdk.aesni.TestPackets.hex;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Published vectors, on both engines: AES-GCM test cases from McGrew and Viega, "The
 * Galois/Counter Mode of Operation (GCM)", appendix B (the ones with 96-bit IVs, which is
 * what OpenVPN uses), and the ChaCha20-Poly1305 AEAD example of RFC 8439 §2.8.2.
 */
class AeadKnownAnswerTest {

    record Vector(String name, CipherAlg alg, String key, String iv, String aad, String plain, String cipher, String tag) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String K_GCM = "feffe9928665731c6d6a8f9467308308";
    private static final String IV_GCM = "cafebabefacedbaddecaf888";
    private static final String P64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private static final String P60 = P64.substring(0, 120);
    private static final String A20 = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    private static final String ZERO12 = "000000000000000000000000";
    private static final String ZERO16 = "00000000000000000000000000000000";

    static final List<Vector> VECTORS = List.of(
            new Vector("GCM TC1", CipherAlg.AES_128_GCM, ZERO16, ZERO12, "", "", "",
                    "58e2fccefa7e3061367f1d57a4e7455a"),
            new Vector("GCM TC2", CipherAlg.AES_128_GCM, ZERO16, ZERO12, "", ZERO16,
                    "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
            new Vector("GCM TC3", CipherAlg.AES_128_GCM, K_GCM, IV_GCM, "", P64,
                    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                            + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
                    "4d5c2af327cd64a62cf35abd2ba6fab4"),
            new Vector("GCM TC4", CipherAlg.AES_128_GCM, K_GCM, IV_GCM, A20, P60,
                    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                            + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
                    "5bc94fbc3221a5db94fae95ae7121a47"),
            new Vector("GCM TC7", CipherAlg.AES_192_GCM, ZERO16 + "0000000000000000", ZERO12, "", "", "",
                    "cd33b28ac773f74ba00ed1f312572435"),
            new Vector("GCM TC8", CipherAlg.AES_192_GCM, ZERO16 + "0000000000000000", ZERO12, "", ZERO16,
                    "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb"),
            new Vector("GCM TC9", CipherAlg.AES_192_GCM, K_GCM + "feffe9928665731c", IV_GCM, "", P64,
                    "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
                            + "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
                    "9924a7c8587336bfb118024db8674a14"),
            new Vector("GCM TC10", CipherAlg.AES_192_GCM, K_GCM + "feffe9928665731c", IV_GCM, A20, P60,
                    "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
                            + "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
                    "2519498e80f1478f37ba55bd6d27618c"),
            new Vector("GCM TC13", CipherAlg.AES_256_GCM, ZERO16 + ZERO16, ZERO12, "", "", "",
                    "530f8afbc74536b9a963b4f1c4cb738b"),
            new Vector("GCM TC14", CipherAlg.AES_256_GCM, ZERO16 + ZERO16, ZERO12, "", ZERO16,
                    "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
            new Vector("GCM TC15", CipherAlg.AES_256_GCM, K_GCM + K_GCM, IV_GCM, "", P64,
                    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
                    "b094dac5d93471bdec1a502270e3cc6c"),
            new Vector("GCM TC16", CipherAlg.AES_256_GCM, K_GCM + K_GCM, IV_GCM, A20, P60,
                    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
                    "76fc6ece0f4e1768cddf8853bb2d551b"),
            new Vector("RFC 8439 2.8.2", CipherAlg.CHACHA20_POLY1305,
                    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
                    "070000004041424344454647",
                    "50515253c0c1c2c3c4c5c6c7",
                    // "Ladies and Gentlemen of the class of '99: If I could offer you only one
                    // tip for the future, sunscreen would be it."
                    "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
                            + "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
                            + "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
                            + "637265656e20776f756c642062652069742e",
                    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                            + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                            + "3ff4def08e4b7a9de576d26586cec64b6116",
                    "1ae10b594f09e26a7e902ecbd0600691"));

    static List<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (String engine : TestPackets.engineNames()) {
            for (Vector v : VECTORS) {
                l.add(Arguments.of(engine, v));
            }
        }
        return l;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void sealProducesThePublishedCiphertextAndTag(String engineName, Vector v) {
        AeadEngine engine = TestPackets.engine(engineName);
        byte[] aad = hex(v.aad);
        try (Arena arena = Arena.ofConfined();
             AeadScratch scratch = engine.newScratch();
             AeadKey key = engine.newKey(v.alg, arena.allocateFrom(JAVA_BYTE, hex(v.key)))) {
            MemorySegment p = TestPackets.packet(arena, aad, hex(v.plain));
            MemorySegment.copy(hex(v.iv), 0, scratch.nonce(), JAVA_BYTE, 0, CipherAlg.NONCE_LENGTH);
            key.seal(scratch, p, 0, aad.length, aad.length, aad.length + TestPackets.TAG, hex(v.plain).length);
            assertArrayEquals(hex(v.cipher), TestPackets.data(p, aad.length), "ciphertext");
            assertArrayEquals(hex(v.tag), TestPackets.tag(p, aad.length), "tag");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void openAcceptsThePublishedCiphertextAndRecoversThePlaintext(String engineName, Vector v) {
        AeadEngine engine = TestPackets.engine(engineName);
        byte[] aad = hex(v.aad);
        try (Arena arena = Arena.ofConfined();
             AeadScratch scratch = engine.newScratch();
             AeadKey key = engine.newKey(v.alg, arena.allocateFrom(JAVA_BYTE, hex(v.key)))) {
            MemorySegment p = TestPackets.packet(arena, aad, hex(v.cipher));
            MemorySegment.copy(hex(v.tag), 0, p, JAVA_BYTE, aad.length, TestPackets.TAG);
            MemorySegment.copy(hex(v.iv), 0, scratch.nonce(), JAVA_BYTE, 0, CipherAlg.NONCE_LENGTH);
            assertTrue(key.open(scratch, p, 0, aad.length, aad.length, aad.length + TestPackets.TAG, hex(v.cipher).length));
            assertArrayEquals(hex(v.plain), TestPackets.data(p, aad.length), "plaintext");
        }
    }
}

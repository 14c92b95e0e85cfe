package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * intel-ipsec-mb against the JDK on random packets: every size from 0 to 2048 (all the
 * partial-block and multi-block paths of the VAES code), a random sample up to 9000 (jumbo
 * frames), and the 64 KiB maximum. Both engines must write identical bytes, and each must
 * open what the other sealed.
 */
class AeadCrossCheckTest {

    private static final int AAD = 8;

    private static List<Integer> sizes(Random r) {
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i <= 2048; i++) {
            s.add(i);
        }
        for (int i = 0; i < 200; i++) {
            s.add(2049 + r.nextInt(9000 - 2048));
        }
        s.add(9000);
        s.add(JdkAeadEngine.MAX_DATA);
        return s;
    }

    @ParameterizedTest
    @EnumSource(CipherAlg.class)
    void bothEnginesAgreeOnEverySize(CipherAlg alg) {
        AeadEngine ipsec = TestPackets.engine("aesni");
        AeadEngine jdk = TestPackets.engine("jdk");
        Random r = new Random(alg.ordinal() * 7919L + 1);
        byte[] keyBytes = new byte[alg.keyLength()];
        r.nextBytes(keyBytes);
        try (Arena arena = Arena.ofConfined();
             AeadScratch is = ipsec.newScratch();
             AeadScratch js = jdk.newScratch();
             AeadKey ik = ipsec.newKey(alg, arena.allocateFrom(JAVA_BYTE, keyBytes));
             AeadKey jk = jdk.newKey(alg, arena.allocateFrom(JAVA_BYTE, keyBytes))) {
            MemorySegment a = arena.allocate(AAD + TestPackets.TAG + JdkAeadEngine.MAX_DATA, 64);
            MemorySegment b = arena.allocate(a.byteSize(), 64);
            MemorySegment plain = arena.allocate(a.byteSize(), 64);
            byte[] random = new byte[(int) a.byteSize()];
            int packetId = 0;
            for (int len : sizes(r)) {
                int total = AAD + TestPackets.TAG + len;
                r.nextBytes(random);
                MemorySegment.copy(random, 0, plain, JAVA_BYTE, 0, total);
                a.copyFrom(plain.asSlice(0, total));
                b.copyFrom(plain.asSlice(0, total));
                // nonce = packet-id ‖ 8 fixed bytes, as the data channel builds it
                packetId++;
                for (AeadScratch s : List.of(is, js)) {
                    s.nonce().set(JAVA_INT, 0, packetId);
                    s.nonce().set(JAVA_INT, 4, 0x5a5a5a5a);
                    s.nonce().set(JAVA_INT, 8, ~packetId);
                }
                ik.seal(is, a, 0, AAD, AAD, AAD + TestPackets.TAG, len);
                jk.seal(js, b, 0, AAD, AAD, AAD + TestPackets.TAG, len);
                assertEquals(-1, a.asSlice(0, total).mismatch(b.asSlice(0, total)), "sealed bytes differ at size " + len);

                assertTrue(jk.open(js, a, 0, AAD, AAD, AAD + TestPackets.TAG, len), "jdk opens ipsec-mb, size " + len);
                assertTrue(ik.open(is, b, 0, AAD, AAD, AAD + TestPackets.TAG, len), "ipsec-mb opens jdk, size " + len);
                assertEquals(-1, a.asSlice(AAD + TestPackets.TAG, len).mismatch(plain.asSlice(AAD + TestPackets.TAG, len)),
                        "plaintext after jdk open, size " + len);
                assertEquals(-1, b.asSlice(AAD + TestPackets.TAG, len).mismatch(plain.asSlice(AAD + TestPackets.TAG, len)),
                        "plaintext after ipsec-mb open, size " + len);
            }
        }
    }
}

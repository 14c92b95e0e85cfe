package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.CipherAlg;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AeadLimitsTest {
    @Test
    void usageIsBlocksRoundedUpPlusOneInvocation() {
        assertEquals(1, AeadLimits.usageOf(0));
        assertEquals(2, AeadLimits.usageOf(1));
        assertEquals(2, AeadLimits.usageOf(16));
        assertEquals(3, AeadLimits.usageOf(17));
        assertEquals(90, AeadLimits.usageOf(1424)); // 89 blocks
    }

    @Test
    void aesGcmRotatesAtSevenEighthsOfTwoToTheThirtySixAndChachaNever() {
        long limit = (1L << 36) - 1;
        for (CipherAlg a : new CipherAlg[]{CipherAlg.AES_128_GCM, CipherAlg.AES_192_GCM, CipherAlg.AES_256_GCM}) {
            assertEquals(limit, AeadLimits.usageLimit(a));
            assertEquals(limit - limit / 8, AeadLimits.rotateAt(a));
        }
        assertEquals(Long.MAX_VALUE, AeadLimits.rotateAt(CipherAlg.CHACHA20_POLY1305));
    }
}

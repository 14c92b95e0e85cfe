package dev.ovpndpdk.qat.cryptodev;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiCoreSchedulerTest {
    private static final String MC = "crypto_scheduler,worker=crypto_aesni_gcm1,mode=multi-core,corelist=1";

    @Test
    void aMultiCoreSchedulerForTwoWorkersGetsOrdering() {
        assertEquals(MC + ",ordering=enable", MultiCoreScheduler.devargs(MC, 2));
        assertEquals(MC + ",ordering=enable", MultiCoreScheduler.devargs(MC + ",ordering=enable", 2));
    }

    @Test
    void oneQueuePairOrAnotherModeIsLeftAsWritten() {
        assertEquals(MC, MultiCoreScheduler.devargs(MC, 1));
        String rr = "crypto_scheduler,worker=crypto_aesni_gcm1,worker=crypto_aesni_gcm2,mode=round-robin";
        assertEquals(rr, MultiCoreScheduler.devargs(rr, 2));
        assertEquals("crypto_aesni_gcm0", MultiCoreScheduler.devargs("crypto_aesni_gcm0", 2));
        assertFalse(MultiCoreScheduler.isMultiCore(rr));
        assertTrue(MultiCoreScheduler.isMultiCore(MC));
    }

    @Test
    void orderingDisabledWithTwoWorkersIsOneClearLine() {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> MultiCoreScheduler.devargs(MC + ",ordering=disable", 2));
        assertTrue(x.getMessage().contains("ordering=enable"), x.getMessage());
        assertFalse(x.getMessage().contains("\n"));
    }
}

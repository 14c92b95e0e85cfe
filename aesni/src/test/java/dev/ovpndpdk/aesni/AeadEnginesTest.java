package dev.ovpndpdk.aesni;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --crypto auto|aesni|jdk}. */
class AeadEnginesTest {

    @Test
    void autoPicksIpsecMbWhereItLoads() {
        assumeTrue(IpsecMbEngine.isAvailable(),
                () -> "intel-ipsec-mb not available, auto falls back to the JDK: " + IpsecMbEngine.unavailableReason());
        assertNull(IpsecMbEngine.unavailableReason());
        assertInstanceOf(IpsecMbEngine.class, AeadEngines.select("auto"));
        assertInstanceOf(IpsecMbEngine.class, AeadEngines.select("aesni"));
        assertInstanceOf(IpsecMbEngine.class, AeadEngines.select("ipsec-mb"));
    }

    @Test
    void autoFallsBackToTheJdkWithoutTheLibrary() {
        assumeTrue(!IpsecMbEngine.isAvailable(), "intel-ipsec-mb is installed here; fallback not exercised");
        assertInstanceOf(JdkAeadEngine.class, AeadEngines.select("auto"));
        assertThrows(IllegalArgumentException.class, () -> AeadEngines.select("aesni"));
    }

    @Test
    void jdkIsAlwaysThereAndUnknownNamesAreRefused() {
        assertInstanceOf(JdkAeadEngine.class, AeadEngines.select("JDK"));
        assertThrows(IllegalArgumentException.class, () -> AeadEngines.select("openssl"));
    }
}

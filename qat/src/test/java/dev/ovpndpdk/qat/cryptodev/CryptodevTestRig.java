package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.libc.Affinity;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What every cryptodev test class needs first: EAL up for software PMDs, and the reference engine. */
final class CryptodevTestRig {
    private CryptodevTestRig() {
    }

    /**
     * Starts EAL (once per JVM) and returns intel-ipsec-mb to compare with. Skips only where the
     * build had no DPDK for the shim: a shim that was built but does not load is a failure.
     */
    static IpsecMbEngine startEal() throws Exception {
        boolean shimBuilt = Dpdk.class.getResource("/native/linux-x86_64/" + Dpdk.SHIM_NAME) != null;
        assumeTrue(shimBuilt || Dpdk.isAvailable(), "cryptodev engine not tested: " + Dpdk.unavailableReason());
        assertTrue(Dpdk.isAvailable(), Dpdk.unavailableReason());
        assumeTrue(IpsecMbEngine.isAvailable(), "no reference to compare with: " + IpsecMbEngine.unavailableReason());
        IpsecMbEngine reference = IpsecMbEngine.create();
        CryptodevEal.ensureUp(CryptodevEal.softwareArguments());
        return reference;
    }

    /** An EAL lcore other than the main one, for a scheduler's worker core; -1 on one CPU. */
    static int secondLcore() throws Exception {
        BitSet cpus = Affinity.currentThread();
        return cpus.cardinality() > 1 ? cpus.nextSetBit(cpus.nextSetBit(0) + 1) : -1;
    }
}

package dev.ovpndpdk.bindings.dpdk;

import dev.ovpndpdk.bindings.CProbe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compiles {@code src/test/c/dpdk_layout.c} against the installed DPDK headers and checks every
 * offset, size, alignment, bit-field and constant the Java bindings encode against what the C
 * compiler says. Skipped where gcc, pkg-config or DPDK's headers are missing.
 */
class DpdkLayoutTest {

    private static final Path SOURCE = Path.of("src/test/c/dpdk_layout.c");
    private static final Path BINARY = Path.of("target/dpdk-layout-probe");

    /** The structs the bindings define, by C name; nested uses are checked through these. */
    private static final List<StructLayout> STRUCTS = List.of(
            RteMbufCore.LAYOUT, RteEthDevInfo.LAYOUT, RteEthDevInfo.RXSEG_CAPA, RteEthDevInfo.DESC_LIM,
            RteEthDevInfo.PORTCONF, RteEthDevInfo.SWITCH_INFO, RteEthRxconf.LAYOUT, RteEthRxconf.THRESH,
            RteEthTxconf.LAYOUT, RteEthConf.LAYOUT, RteEthConf.RXMODE, RteEthConf.TXMODE, RteEthConf.RSS_CONF,
            RteEthLink.LAYOUT, RteEthStats.LAYOUT, RteEtherAddr.LAYOUT, RteCryptodevConfig.LAYOUT,
            RteCryptodevQpConf.LAYOUT, RteCryptodevInfo.LAYOUT, RteCryptoSymXform.LAYOUT, RteCryptoSymXform.AEAD);

    private static CProbe probe;

    @BeforeAll
    static void compileAndRunProbe() throws Exception {
        assumeTrue(CProbe.run(List.of("gcc", "--version")) != null, "gcc not found (apt-get install gcc); DPDK layouts not checked");
        String cflags = CProbe.run(List.of("pkg-config", "--cflags", "libdpdk"));
        assumeTrue(cflags != null && cflags.startsWith("0\n"),
                "pkg-config finds no libdpdk (apt-get install pkg-config libdpdk-dev); DPDK layouts not checked");
        List<String> gcc = new ArrayList<>(List.of("gcc", "-std=gnu11", "-Wall", "-Werror"));
        gcc.addAll(Arrays.asList(cflags.substring(2).trim().split("\\s+")));
        probe = CProbe.compileAndRun(gcc, SOURCE, BINARY);
    }

    private static long c(String key) {
        return probe.get(key);
    }

    private static StructLayout known(MemoryLayout nested) {
        for (StructLayout s : STRUCTS) {
            if (s.withoutName().equals(nested.withoutName())) {
                return s;
            }
        }
        return null;
    }

    @Test
    void everyStructMatchesTheHeaders() {
        int checked = 0;
        for (StructLayout s : STRUCTS) {
            // A member whose layout is one of STRUCTS is checked there, not again inside each user.
            checked += probe.assertOffsets(s, inner -> known(inner) == null);
            probe.assertSizeAndAlignment(s);
        }
        assertTrue(checked >= 138, "checked only " + checked + " members");
    }

    @Test
    void bitFieldsMatchTheHeaders() {
        assertEquals(c("bits.rte_mbuf.l2_len"), ((1L << RteMbufCore.L2_LEN_BITS) - 1) << RteMbufCore.L2_LEN_SHIFT);
        assertEquals(c("bits.rte_mbuf.l3_len"), ((1L << RteMbufCore.L3_LEN_BITS) - 1) << RteMbufCore.L3_LEN_SHIFT);
        assertEquals(c("bits.rte_mbuf.l4_len"), ((1L << RteMbufCore.L4_LEN_BITS) - 1) << RteMbufCore.L4_LEN_SHIFT);
        long flags = RteEthLink.FLAGS$OFFSET * 8;
        assertEquals(c("bits.rte_eth_link.link_duplex"), 1L << (flags + RteEthLink.LINK_DUPLEX_BIT));
        assertEquals(c("bits.rte_eth_link.link_autoneg"), 1L << (flags + RteEthLink.LINK_AUTONEG_BIT));
        assertEquals(c("bits.rte_eth_link.link_status"), 1L << (flags + RteEthLink.LINK_STATUS_BIT));
    }

    /** Every public constant named like a DPDK macro, by reflection: a new one without a probe line fails. */
    @Test
    void constantsMatchTheHeaders() throws IllegalAccessException {
        List<String> checked = new ArrayList<>();
        for (Class<?> k : List.of(RteEthdev.class, RteMbufCore.class, RteMbuf.class, RteMempool.class, RteRing.class,
                RteLcore.class, RteEthStats.class, RteEtherAddr.class, RteCryptodev.class, RteCrypto.class,
                RteCryptoSymXform.class)) {
            for (Field f : k.getFields()) {
                String n = f.getName();
                boolean macro = n.startsWith("RTE_") || n.startsWith("RING_F_") || n.endsWith("_ID_ANY")
                        || n.startsWith("OVD_CDEV_") || n.equals("OP_AND_SYM_OP_SIZE");
                if (!Modifier.isStatic(f.getModifiers()) || !macro || n.endsWith("_BITS") || n.endsWith("_SHIFT")) {
                    continue;
                }
                long expected = c("const." + n);
                if (f.getType() == int.class) {
                    assertEquals((int) expected, f.getInt(null), k.getSimpleName() + "." + n);
                } else {
                    assertEquals(expected, f.getLong(null), k.getSimpleName() + "." + n);
                }
                checked.add(n);
            }
        }
        assertTrue(checked.size() >= 65, "checked only " + checked);
    }

    @Test
    void headersAreTheReleaseTheBindingsEncode() {
        assertEquals(Dpdk.RTE_RELEASE, c("const.RTE_VERSION") >>> 16, "DPDK headers are not 22.11");
    }
}

package dev.ovpndpdk.bindings.dpdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a usable shim (here: {@code -Dovpndpdk.shim} names a missing file) the classes still
 * load, {@link Dpdk#isAvailable()} is false with a one-line reason, and every binding throws
 * {@link UnsupportedOperationException} with that reason. Runs in a child JVM: {@link Dpdk}
 * decides once per process.
 */
@Timeout(60)
class DpdkUnavailableTest {

    /** The child: prints the reason, then what a binding call threw. */
    public static void main(String[] args) {
        System.out.println(Dpdk.isAvailable());
        System.out.println(Dpdk.unavailableReason());
        try {
            RteEthdev.rte_eth_rx_burst(0, 0, 0, 32);
            System.out.println("no exception");
        } catch (UnsupportedOperationException e) {
            System.out.println(e.getMessage());
        }
    }

    @Test
    void missingShimIsReportedNotThrownAtLoad() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + Dpdk.SHIM_PROPERTY + "=/nonexistent/libovpndpdk_shim.so",
                "-cp", System.getProperty("java.class.path"), DpdkUnavailableTest.class.getName()))
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertEquals("false", lines.get(0));
        // With DPDK installed the shim is what is missing; without, the libraries are.
        assertTrue(lines.get(1).contains("/nonexistent/libovpndpdk_shim.so")
                || lines.get(1).startsWith("DPDK 22.11 libraries not found"), lines.get(1));
        assertEquals(lines.get(1), lines.get(2), "the binding throws with the same line");
    }
}

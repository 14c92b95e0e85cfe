package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Qatlib;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * async-crypto.md §1.8 in order: no library (this machine, and every Debian 12), a library but no
 * device, a device that will not start. Each is one line, and the probe prints nothing else.
 */
@Timeout(60)
class QatlibAbsenceTest {

    @AfterEach
    void restore() {
        StandIn.configure(true, 0, 64, false);
    }

    /** Runs {@link QatlibProbe} in a child JVM; returns its exit status and its output's lines. */
    private static List<String> probe(List<String> properties, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), QatlibProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OVPN_QATLIB_LIBRARY");
        pb.environment().remove("OVPN_QATLIB_USDM");
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new ArrayList<>(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().toList());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        lines.addFirst(Integer.toString(p.exitValue()));
        return lines;
    }

    @Test
    void withoutQatlibTheProbePrintsOneLineAndNoTrace() throws Exception {
        List<String> out = probe(List.of(), Map.of());
        assertEquals(2, out.size(), () -> String.join("\n", out));
        assertEquals("1", out.get(0));
        String line = out.get(1);
        assertTrue(line.startsWith("qat unavailable: libqat.so.4 not found") && line.contains("Debian 12"), line);
    }

    @Test
    void withoutQatlibLoadingReportsInsteadOfThrowing() {
        Qatlib lib = Qatlib.load(new Qatlib.Paths(null, null, null));
        assertFalse(lib.isAvailable());
        assertFalse(lib.unavailableReason().contains("\n"));
        QatUnavailableException e = assertThrows(QatUnavailableException.class,
                () -> QatlibEngine.open(lib, QatlibEngine.Settings.configured(), 1));
        assertEquals(lib.unavailableReason(), e.getMessage());
        assertThrows(UnsupportedOperationException.class, lib::icp_sal_userIsQatAvailable);
    }

    @Test
    void withTheLibraryButNoDeviceOneLineAndNothingStarted() {
        StandIn.configure(false, 0, 64, false);
        QatUnavailableException e = assertThrows(QatUnavailableException.class,
                () -> QatlibEngine.open(StandIn.qatlib(), new QatlibEngine.Settings("SSL", 2048), 1));
        assertTrue(e.getMessage().startsWith("no QAT device") && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(0, StandIn.stat(StandIn.USER_STARTED), "icp_sal_userStart never called");
    }

    @Test
    void noDeviceThroughTheEnvironmentFlagInTheProbe() throws Exception {
        String so = StandIn.library().toString();
        List<String> out = probe(List.of("-D" + Qatlib.LIBRARY_PROPERTY + "=" + so, "-D" + Qatlib.USDM_PROPERTY + "=" + so),
                Map.of("QAT_STANDIN_NO_DEVICE", "1"));
        assertEquals(List.of("1", "qat unavailable: no QAT device: qatlib found no QAT VF bound to vfio-pci"
                + " (qatlib drives Gen4 and later devices only)"), out);
    }

    @Test
    void theStandInWithADeviceProbesAvailable() throws Exception {
        String so = StandIn.library().toString();
        List<String> out = probe(List.of(), Map.of("OVPN_QATLIB_LIBRARY", so, "OVPN_QATLIB_USDM", so));
        assertEquals(2, out.size(), () -> String.join("\n", out));
        assertEquals("0", out.get(0));
        assertTrue(out.get(1).startsWith("qat: qatlib (" + so), out.get(1));
    }

    @Test
    void aFailedStartNamesTheStatusInOneLine() {
        StandIn.configure(true, -1, 64, false);
        QatUnavailableException e = assertThrows(QatUnavailableException.class,
                () -> QatlibEngine.open(StandIn.qatlib(), new QatlibEngine.Settings("SSL", 2048), 1));
        assertTrue(e.getMessage().startsWith("icp_sal_userStart(\"SSL\") failed: CPA_STATUS_FAIL"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}

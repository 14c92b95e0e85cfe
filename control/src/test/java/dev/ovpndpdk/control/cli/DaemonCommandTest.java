package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import picocli.CommandLine;

/** The daemon command's option handling; running it needs root (DaemonRootTest). */
@Timeout(10)
class DaemonCommandTest {
    /** A control socket path no daemon uses (the refusals come before it is made). */
    private static final String SOCKET = System.getProperty("java.io.tmpdir") + "/ovtx-" + ProcessHandle.current().pid() + ".sock";

    private static String[] run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }

    /**
     * A DPDK daemon cannot listen on a wildcard (it writes its own IP headers); where DPDK is
     * not installed the refusal names the packages instead. Either way: one line, exit 1,
     * before EAL is touched.
     */
    @Test
    void aDpdkDaemonWithoutAWireAddressIsRefusedInOneLine() {
        String[] r = run("daemon", "--tun", "ovtx", "--listen", "0.0.0.0:1194", "--backend", "dpdk",
                "--control", SOCKET);
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("ovpn-dpdk: --backend dpdk"), r[2]);
        assertEquals(1, r[2].lines().count(), r[2]);
    }

    @Test
    void tunAndListenAreRequired() {
        String[] r = run("daemon", "--listen", "127.0.0.1:1194");
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("ovpn-dpdk: Missing required option: '--tun=NAME'"), r[2]);
        r = run("daemon", "--tun", "x", "--listen", "fd00::1:1194");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("is not ADDR:PORT"), r[2]);
    }

    @Test
    void idleTakesTheThreeStrategiesAndTheHelpSaysWhichIsDefault() {
        String[] r = run("daemon", "--tun", "ovtx", "--listen", "127.0.0.1:1194", "--idle", "sleep",
                "--control", SOCKET);
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("unknown idle strategy 'sleep' (expected spin, backoff or interrupt)"), r[2]);
        assertEquals(1, r[2].lines().count(), r[2]);
        String help = run("daemon", "--help")[1];
        assertTrue(help.contains("--idle=spin|backoff|interrupt"), help);
        assertTrue(help.replaceAll("\\s+", " ").contains("(default: interrupt)"), help);
    }

    @Test
    void cpuListsExpandRanges() {
        assertEquals("[2, 3, 4, 5, 8]", Arrays.toString(new DaemonCommand.CpuListConverter().convert("2-5,8").cpus()));
        assertThrows(IllegalArgumentException.class, () -> new DaemonCommand.CpuListConverter().convert("5-2"));
    }
}

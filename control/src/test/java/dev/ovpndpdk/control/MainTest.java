package dev.ovpndpdk.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class MainTest {
    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void helpListsEachCommandWithItsOneLineDescription() {
        Result r = run("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: ovpn-dpdk [-hV] COMMAND"), r.out());
        assertTrue(r.out().contains("Commands:"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  decrypt-pcap\\s+Decrypt the OpenVPN data channel.*"), r.out());
    }

    @Test
    void noCommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.exit());
        assertEquals("ovpn-dpdk: missing command" + System.lineSeparator()
                + "Try 'ovpn-dpdk --help' for more information." + System.lineSeparator(), r.err());
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        Result r = run("decrypt-pacp");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("ovpn-dpdk: Unmatched argument at index 0: 'decrypt-pacp'"), r.err());
        assertTrue(r.err().contains("decrypt-pcap"), "suggests the near miss: " + r.err());
    }

    @Test
    void versionNamesTheProgram() {
        Result r = run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("ovpn-dpdk "), r.out());
    }

    @Test
    void inputAndIoErrorsBecomeOneLineOthersStayBugs() {
        assertEquals("/x/keys.hex: no such file", Main.describe(new NoSuchFileException("/x/keys.hex")));
        assertEquals("bad key", Main.describe(new IllegalArgumentException("bad key")));
        assertEquals("IOException", Main.describe(new IOException()));
        assertNull(Main.describe(new NullPointerException()), "a bug keeps its stack trace");
    }

    @Test
    void logLinesLookLikeErrorLines() {
        LogRecord info = new LogRecord(Level.INFO, "crypto: {0}");
        info.setParameters(new Object[] {"jdk"});
        LogRecord warning = new LogRecord(Level.WARNING, "careful");
        warning.setThrown(new IOException("disk full"));
        java.util.logging.Formatter f = new LogFormat();
        assertEquals("ovpn-dpdk: crypto: jdk" + System.lineSeparator(), f.format(info));
        assertEquals("ovpn-dpdk: warning: careful: disk full" + System.lineSeparator(), f.format(warning));
    }
}

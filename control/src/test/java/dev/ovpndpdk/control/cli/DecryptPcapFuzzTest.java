package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ovpndpdk.control.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Coverage-guided fuzzing of {@code decrypt-pcap} as a user runs it: the fuzzer's bytes are
 * the capture, the key material is the real session's (vectors/), so mutations of the real
 * capture reach the data-channel opening, --verify-reencrypt and --out (docs/fuzzing.md).
 * The command must end with exit status 0 or 1 and never print a stack trace.
 * Seeds and regression inputs: {@code DecryptPcapFuzzTestInputs/exitsZeroOrOneWithoutATrace/}.
 */
class DecryptPcapFuzzTest {
    private static final Path DIR = tempDir();
    private static final Path IN = DIR.resolve("wire.pcap");
    private static final Path OUT = DIR.resolve("inner.pcap");
    private static final String[] ARGS = {"decrypt-pcap", "--cipher", "AES-256-GCM", "--quiet",
        "--key-material", Vectors.keyMaterial().toString(), "--in", IN.toString(), "--out", OUT.toString(),
        "--verify-reencrypt"};
    /** Built once: picocli resets every option before each parse, and building costs most of a run. */
    private static final CommandLine CL = Main.newCommandLine();

    @FuzzTest
    void exitsZeroOrOneWithoutATrace(byte[] capture) throws IOException {
        Files.write(IN, capture);
        CommandLine cl = CL;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(ARGS);
        String e = err.toString();
        assertTrue(exit == 0 || exit == 1, "exit " + exit + ": " + e);
        assertFalse(e.contains("\tat ") || e.contains("Exception"), e);
        if (exit == 0) {
            assertTrue(out.toString().contains("re-encrypted"), out.toString());
        }
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("ovpn-fuzz-pcap");
            d.toFile().deleteOnExit(); // registered first, deleted last: after the two files
            d.resolve("wire.pcap").toFile().deleteOnExit();
            d.resolve("inner.pcap").toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

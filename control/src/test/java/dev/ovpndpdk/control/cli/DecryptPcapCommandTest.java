package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.Main;
import dev.ovpndpdk.control.pcap.PcapReader;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;

/** decrypt-pcap against the real OpenVPN 2.6 session in vectors/, and against bad input. */
class DecryptPcapCommandTest {
    /** What the capture holds: 11 P_DATA_V2 packets, all IP (10 ICMP echo, 1 ICMPv6), no pings. */
    private static final int DATA_PACKETS = 11;
    private static final int IPV4_PACKETS = 10;
    private static final int IPV6_PACKETS = 1;

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private Result decrypt(Path keys, Path wire, String... more) {
        List<String> args = new ArrayList<>(List.of("decrypt-pcap", "--cipher", "AES-256-GCM",
                "--key-material", keys.toString(), "--in", wire.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    /** A one-line failure on stderr, naming the problem, no stack trace, exit 1. */
    private static void assertOneLineError(Result r, String expected) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), "exactly one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("ovpn-dpdk: "), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "jdk"})
    void decryptsAndReencryptsEveryPacketOfTheRealSession(String crypto) throws IOException {
        Path inner = tmp.resolve("inner.pcap");
        Result r = decrypt(Vectors.keyMaterial(), Vectors.wire(),
                "--out", inner.toString(), "--verify-reencrypt", "--crypto", crypto, "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("decrypted 11 of 11 data packets", "re-encrypted 11 of 11 byte-exact"),
                r.out().lines().toList());
        assertEquals("", r.err());

        int v4 = 0;
        int v6 = 0;
        try (PcapReader reader = PcapReader.open(inner)) {
            assertEquals(101, reader.linkType());
            for (PcapReader.Frame f = reader.nextFrame(); f != null; f = reader.nextFrame()) {
                int version = (f.data()[0] & 0xF0) >>> 4;
                v4 += version == 4 ? 1 : 0;
                v6 += version == 6 ? 1 : 0;
                assertTrue(version == 4 || version == 6, "frame " + f.number() + " is IP");
            }
        }
        assertEquals(IPV4_PACKETS, v4);
        assertEquals(IPV6_PACKETS, v6);
        assertEquals(DATA_PACKETS, v4 + v6, "no pings in this capture: every data packet is written");
    }

    @Test
    void withoutOutOrVerifyOnlyTheDecryptLineIsPrinted() {
        Result r = decrypt(Vectors.keyMaterial(), Vectors.wire(), "--crypto", "jdk");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("decrypted 11 of 11 data packets" + System.lineSeparator(), r.out());
    }

    @Test
    void wrongKeyDecryptsNothingAndNamesEachPacket() throws IOException {
        byte[] random = new byte[256];
        new SecureRandom().nextBytes(random);
        Path keys = Files.writeString(tmp.resolve("wrong.hex"), HexFormat.of().formatHex(random) + "\n");
        Result r = decrypt(keys, Vectors.wire(), "--crypto", "jdk", "--verify-reencrypt");
        assertEquals(1, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(DATA_PACKETS + 2, lines.size(), r.out());
        assertEquals("decrypted 0 of 11 data packets", lines.get(DATA_PACKETS));
        assertEquals("re-encrypted 0 of 0 byte-exact", lines.get(DATA_PACKETS + 1));
        assertTrue(lines.get(0).matches("data packet 1 \\(frame \\d+\\): (client->server|server->client) "
                + "key-id 0 packet-id \\d+: auth_failed \\(tried key line 1\\)"), lines.get(0));
        assertTrue(r.out().contains("server->client") && r.out().contains("client->server"));
    }

    @Test
    void notAPcapFileIsOneLine() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "this is not a capture\n");
        assertOneLineError(decrypt(Vectors.keyMaterial(), text), "notes.txt: not a pcap file (magic 0x74686973)");
    }

    @Test
    void pcapngIsOneLineWithTheConversionHint() throws IOException {
        Path ng = Files.write(tmp.resolve("x.pcapng"), new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28});
        assertOneLineError(decrypt(Vectors.keyMaterial(), ng), "convert with editcap -F pcap");
    }

    @Test
    void truncatedCaptureIsOneLineNamingTheRecord() throws IOException {
        byte[] whole = Files.readAllBytes(Vectors.wire());
        Path cut = Files.write(tmp.resolve("cut.pcap"), java.util.Arrays.copyOf(whole, whole.length - 100));
        Result r = decrypt(Vectors.keyMaterial(), cut, "--crypto", "jdk");
        assertOneLineError(r, "cut.pcap: truncated record 25 at offset ");
        assertEquals("", r.out(), "no summary for a capture we could not read to the end");
    }

    @Test
    void keyFileOf255BytesIsOneLineNamingTheFile() throws IOException {
        Path keys = Files.writeString(tmp.resolve("short.hex"), "ab".repeat(255) + "\n");
        assertOneLineError(decrypt(keys, Vectors.wire()), "short.hex: key material must be 256 bytes");
    }

    @Test
    void binaryKeyFileIsOneLine() throws IOException {
        Path keys = Files.write(tmp.resolve("key.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertOneLineError(decrypt(keys, Vectors.wire()), "key.bin: not a text file");
    }

    @Test
    void missingFilesAreOneLine() {
        assertOneLineError(decrypt(tmp.resolve("nokeys.hex"), Vectors.wire()), "nokeys.hex: no such file");
        assertOneLineError(decrypt(Vectors.keyMaterial(), tmp.resolve("none.pcap"), "--crypto", "jdk"),
                "none.pcap: no such file");
    }

    @Test
    void unknownCipherIsAUsageErrorListingTheCiphers() {
        Result r = run("decrypt-pcap", "--cipher", "AES-512-GCM", "--key-material",
                Vectors.keyMaterial().toString(), "--in", Vectors.wire().toString());
        assertEquals(2, r.exit());
        assertTrue(r.errLines().get(0).contains("unknown cipher 'AES-512-GCM' (expected one of AES-128-GCM"), r.err());
        assertEquals("Try 'ovpn-dpdk decrypt-pcap --help' for more information.", r.errLines().getLast());
        assertFalse(r.err().contains("\tat "));
    }

    @Test
    void unknownCryptoEngineIsOneLine() {
        assertOneLineError(decrypt(Vectors.keyMaterial(), Vectors.wire(), "--crypto", "qat9"),
                "unknown crypto engine 'qat9'");
    }

    @Test
    void wrongServerPortFindsNoDataPacketsAndFails() {
        Result r = decrypt(Vectors.keyMaterial(), Vectors.wire(), "--crypto", "jdk", "--server-port", "1195");
        assertEquals(1, r.exit());
        assertEquals("decrypted 0 of 0 data packets" + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("no P_DATA_V2 packets to or from UDP port 1195"), r.err());
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Result r = run("decrypt-pcap", "--cipher", "AES-256-GCM", "--in", Vectors.wire().toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required option: '--key-material=FILE'"), r.err());
    }

    @Test
    void helpExplainsThatPingsAreNotWritten() {
        Result r = run("decrypt-pcap", "--help");
        assertEquals(0, r.exit());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Keepalive pings and OCC exit messages count as decrypted but are not written"), help);
        assertTrue(help.contains("--verify-reencrypt"));
        assertTrue(help.contains("Exit status: 0"));
        assertTrue(help.contains("cryptodev[:DEVARGS]|qat"), help);
        assertTrue(help.contains("--verify-reencrypt seals again in software"), help);
    }

    @Test
    void outputFileIsWrittenEvenWhenSomePacketsFail() throws IOException {
        Path inner = tmp.resolve("inner.pcap");
        byte[] random = new byte[256];
        new SecureRandom().nextBytes(random);
        Path keys = Files.writeString(tmp.resolve("wrong.hex"), HexFormat.of().formatHex(random),
                StandardCharsets.US_ASCII);
        Result r = decrypt(keys, Vectors.wire(), "--crypto", "jdk", "--out", inner.toString());
        assertEquals(1, r.exit());
        assertEquals(24, Files.size(inner), "a valid, empty capture: just the file header");
    }
}

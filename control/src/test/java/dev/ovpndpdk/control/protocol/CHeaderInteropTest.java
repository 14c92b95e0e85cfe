package dev.ovpndpdk.control.protocol;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-language check of docs/ovpn-dpdk-control.h: compiles docs/examples/ovpn-dpdk-ctl-example.c
 * (and a small program that uses every writer helper) with gcc into a temporary directory, and
 * compares the bytes they build with the Java encoder's, and what they read from Java-encoded
 * messages with the fields Java put there. Skipped when gcc is absent.
 */
class CHeaderInteropTest {
    private static final String[] CFLAGS = {
        "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wconversion", "-Wsign-conversion", "-Wshadow"};

    /** Builds a NEW_PEER with every value type and nesting, and checks the writer's overflow handling. */
    private static final String ALL_HELPERS_C = """
            #include <stdio.h>
            #include "ovpn-dpdk-control.h"

            int main(void)
            {
            	static uint8_t buf[OVPD_MAX_MESSAGE_BYTES];
            	static const uint8_t remote[4] = { 192, 0, 2, 1 }, vpn6[16] = { 0xfd, [15] = 6 };
            	uint8_t tiny[40];
            	struct ovpd_writer w;
            	size_t m, n, i;

            	ovpd_begin(&w, buf, sizeof(buf), OVPD_KIND_REQUEST, OVPD_CMD_NEW_PEER, 0xfffffffeu);
            	ovpd_put_u64(&w, OVPD_F_PEER_ID, 0xffffff);
            	m = ovpd_nest_begin(&w, OVPD_F_REMOTE);
            	ovpd_put_bytes(&w, OVPD_F_ADDRESS, remote, sizeof(remote));
            	ovpd_put_u64(&w, OVPD_F_PORT, 1194);
            	ovpd_nest_end(&w, m);
            	ovpd_put_bytes(&w, OVPD_F_VPN_IPV6, vpn6, sizeof(vpn6));
            	ovpd_put_string(&w, OVPD_F_CIPHER, "CHACHA20-POLY1305");
            	ovpd_put_string(&w, "empty", "");
            	ovpd_put_bool(&w, "yes", 1);
            	ovpd_put_bytes(&w, "none", NULL, 0);
            	m = ovpd_nest_begin(&w, "a");
            	n = ovpd_nest_begin(&w, "b");
            	ovpd_put_u64(&w, "max", UINT64_MAX);
            	ovpd_nest_end(&w, n);
            	ovpd_nest_end(&w, m);
            	n = ovpd_finish(&w);
            	if (n == 0)
            		return 3;
            	for (i = 0; i < n; i++)
            		printf("%02x", buf[i]);
            	printf("\\n");

            	ovpd_begin(&w, tiny, sizeof(tiny), OVPD_KIND_REQUEST, OVPD_CMD_PING, 1);
            	ovpd_put_string(&w, "long", "this string does not fit in forty bytes");
            	ovpd_put_u64(&w, "after", 1);
            	printf("overflow %s\\n", ovpd_finish(&w) == 0 ? "refused" : "ACCEPTED");
            	ovpd_begin(&w, buf, sizeof(buf), OVPD_KIND_REQUEST, OVPD_CMD_PING, 1);
            	ovpd_put_u64(&w, "Bad-Name", 1);
            	printf("bad name %s\\n", ovpd_finish(&w) == 0 ? "refused" : "ACCEPTED");
            	ovpd_begin(&w, buf, sizeof(buf), OVPD_KIND_REQUEST, OVPD_CMD_PING, 1);
            	for (i = 0; i < 5; i++)
            		ovpd_nest_begin(&w, "n");
            	printf("too deep %s\\n", ovpd_finish(&w) == 0 ? "refused" : "ACCEPTED");
            	return 0;
            }
            """;

    @TempDir
    static Path work;
    private static Path example;
    private static Path allHelpers;

    private final MessageCodec codec = new MessageCodec();

    @BeforeAll
    static void compile() throws Exception {
        Assumptions.assumeTrue(gccAvailable(), "gcc not found: skipping the C header interop test");
        Path docs = RepoFiles.docs();
        example = work.resolve("ovpn-dpdk-ctl-example");
        gcc(docs, docs.resolve("examples").resolve("ovpn-dpdk-ctl-example.c"), example);
        Path src = work.resolve("all_helpers.c");
        Files.writeString(src, ALL_HELPERS_C);
        allHelpers = work.resolve("all_helpers");
        gcc(docs, src, allHelpers);
    }

    private static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void gcc(Path docs, Path source, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(CFLAGS));
        cmd.addAll(List.of("-I", docs.toString(), "-o", out.toString(), source.toString()));
        Result r = run(cmd, null);
        assertEquals(0, r.exit, "gcc failed:\n" + r.stdout + r.stderr);
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> cmd, String stdin) throws Exception {
        Path errFile = Files.createTempFile(work, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.US_ASCII));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Result(p.exitValue(), out, Files.readString(errFile));
    }

    private static String printRequest(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(example.toString(), "--print-request"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, null);
        assertEquals(0, r.exit, r.stderr);
        return r.stdout.strip();
    }

    private String hex(Message m) {
        return HexFormat.of().formatHex(codec.encode(m));
    }

    @Test
    void delPeerRequestIsByteForByteTheJavaOne() throws Exception {
        assertEquals(hex(Message.request(Command.DEL_PEER, 7).u64(PEER_ID, 5).build()),
                printRequest("--seq", "7", "del-peer", "5"));
    }

    @Test
    void getPeerRequestsAreByteForByteTheJavaOnes() throws Exception {
        assertEquals(hex(Message.request(Command.GET_PEER, 0xFFFF_FFFFL).u64(PEER_ID, 0xFFFFFF).build()),
                printRequest("--seq", "4294967295", "get-peer", "16777215"));
        assertEquals(hex(Message.request(Command.GET_PEER, 1).build()), printRequest("get-peer"));
        assertEquals(hex(Message.request(Command.PING, 2).build()), printRequest("--seq", "2", "ping"));
    }

    @Test
    void everyWriterHelperMatchesTheJavaEncoder() throws Exception {
        Result r = run(List.of(allHelpers.toString()), null);
        assertEquals(0, r.exit, r.stderr);
        String[] lines = r.stdout.split("\n");
        Message expected = Message.request(Command.NEW_PEER, 0xFFFF_FFFEL)
                .u64(PEER_ID, 0xFFFFFF)
                .add(SockAddrField.field(REMOTE, Samples.REMOTE_V4))
                .bytes(VPN_IPV6, Samples.ip("fd00::6").getAddress())
                .string(CIPHER, "CHACHA20-POLY1305")
                .string("empty", "")
                .bool("yes", true)
                .bytes("none", new byte[0])
                .nested("a", Fields.of(Field.nested("b", Fields.of(Field.u64("max", -1L)))))
                .build();
        assertEquals(hex(expected), lines[0]);
        assertEquals("overflow refused", lines[1]);
        assertEquals("bad name refused", lines[2]);
        assertEquals("too deep refused", lines[3]);
    }

    @Test
    void theExampleReadsWhatJavaWrites() throws Exception {
        Message reply = Samples.peerDump(Message.request(Command.GET_PEER, 9).build(), 2);
        Message mixed = Message.builder(Kind.NOTIFICATION, Notification.PEER_FLOAT.code(), 3)
                .bool("t", true).bool("f", false).string("s", "h\u00e9")
                .bytes("b", new byte[] {0, 1, (byte) 0xFF}).nested("n", Fields.empty())
                .build();
        for (Message m : List.of(reply, mixed, Samples.notifications().get(0))) {
            Result r = run(List.of(example.toString(), "--decode-hex"), hex(m));
            assertEquals(0, r.exit, r.stderr);
            assertEquals(render(m), r.stdout);
        }
    }

    @Test
    void theExampleSkipsUnknownTypes() throws Exception {
        byte[] future = Raw.payload().u64("error", 0).field(9, "future", new byte[] {1, 2, 3}).u64(PEER_ID, 4)
                .request(4, 1);
        future[5] = 2; // a reply
        Result r = run(List.of(example.toString(), "--decode-hex"), HexFormat.of().formatHex(future));
        assertEquals(0, r.exit, r.stderr);
        assertEquals("# kind 2 code 4 seq 1\nerror u64 0\nfuture type9 skipped 3 bytes\npeer_id u64 4\n", r.stdout);
    }

    @Test
    void theExampleRefusesWhatJavaRefuses() throws Exception {
        byte[] good = codec.encode(Message.request(Command.DEL_PEER, 7).u64(PEER_ID, 5).build());
        byte[] badMagic = good.clone();
        badMagic[0] = 0;
        byte[] pastEnd = good.clone();
        pastEnd[27] = 9; // value length 8 -> 9
        byte[] badName = good.clone();
        badName[18] = 'P';
        for (byte[] bad : List.of(badMagic, pastEnd, badName, java.util.Arrays.copyOf(good, 20))) {
            assertThrows(MalformedMessageException.class, () -> codec.decode(bad));
            Result r = run(List.of(example.toString(), "--decode-hex"), HexFormat.of().formatHex(bad));
            assertEquals(2, r.exit, r.stdout);
            assertTrue(r.stderr.startsWith("malformed"), r.stderr);
        }
    }

    @Test
    void theExampleRefusesABadCommandLine() throws Exception {
        assertEquals(2, run(List.of(example.toString(), "--print-request", "del-peer", "16777216"), null).exit);
        assertEquals(2, run(List.of(example.toString(), "--print-request", "frobnicate"), null).exit);
    }

    /** What the example prints for a message: its header line, then one line per field, nests indented. */
    private static String render(Message m) {
        StringBuilder out = new StringBuilder();
        out.append("# kind ").append(m.kind().code()).append(" code ").append(m.code())
                .append(" seq ").append(m.sequence()).append(m.more() ? " more" : "").append('\n');
        render(m.fields(), 0, out);
        return out.toString();
    }

    private static void render(Fields fields, int depth, StringBuilder out) {
        String indent = "  ".repeat(depth);
        for (Field f : fields) {
            out.append(indent).append(f.name()).append(' ');
            switch (f) {
                case Field.U64 u -> out.append("u64 ").append(Long.toUnsignedString(u.value())).append('\n');
                case Field.Bool b -> out.append("bool ").append(b.value()).append('\n');
                case Field.Str s -> out.append("string \"").append(s.value()).append("\"\n");
                case Field.Bytes b -> out.append("bytes ").append(HexFormat.of().formatHex(b.value())).append('\n');
                case Field.Nested n -> {
                    out.append("nested {\n");
                    render(n.value(), depth + 1, out);
                    out.append(indent).append("}\n");
                }
            }
        }
    }
}

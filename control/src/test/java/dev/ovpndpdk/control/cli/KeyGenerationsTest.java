package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.control.pcap.PcapReader;
import dev.ovpndpdk.control.pcap.TestPcaps;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-id → key-material line rule, on a synthetic session that renegotiates 16 times. */
class KeyGenerationsTest {
    private static final int GENERATIONS = 17; // key-ids 0, 1..7, 1..7, 1, 2: wraps twice
    private static final CipherAlg ALG = CipherAlg.AES_256_GCM;
    private static final AeadEngine ENGINE = AeadEngines.select("jdk");

    @TempDir
    Path tmp;

    private final byte[][] blocks = new byte[GENERATIONS][256];
    private final long[][] nextPacketId = new long[GENERATIONS + 1][2];

    KeyGenerationsTest() {
        Random rnd = new Random(42);
        for (byte[] b : blocks) {
            rnd.nextBytes(b);
        }
    }

    @Test
    void keyIdsFollowOpenVpnsSequenceWhereZeroIsNeverReused() {
        int[] ids = new int[GENERATIONS];
        for (int line = 1; line <= GENERATIONS; line++) {
            ids[line - 1] = KeyGenerations.keyIdOfLine(line);
        }
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 1, 2}, ids);
    }

    @Test
    void candidatesAreTheCurrentLineThenLaterThenEarlierOnes() {
        List<KeyMaterial> km = new ArrayList<>();
        for (byte[] b : blocks) {
            km.add(KeyMaterial.of(b));
        }
        try (KeyGenerations g = new KeyGenerations(km, ENGINE, ALG)) {
            assertArrayEquals(new int[] {1}, g.candidates(0));
            assertArrayEquals(new int[] {2, 9, 16}, g.candidates(1));
            g.authenticated(9);
            assertArrayEquals(new int[] {9, 16, 2}, g.candidates(1), "after a renegotiation");
            g.authenticated(16);
            assertArrayEquals(new int[] {16, 9, 2}, g.candidates(1), "a lame duck is found going back");
            assertArrayEquals(new int[] {3, 10, 17}, g.candidates(2), "other key-ids are independent");
        }
        try (KeyGenerations one = new KeyGenerations(List.of(KeyMaterial.of(blocks[0])), ENGINE, ALG)) {
            assertArrayEquals(new int[0], one.candidates(1), "one line: key-id 0 only");
        }
    }

    @Test
    void followsRenegotiationsWithInterleavedLameDuckKeys() throws IOException {
        Path wire = session();
        Path inner = tmp.resolve("inner.pcap");
        DecryptPcapCommandTest.Result r = DecryptPcapCommandTest.run("decrypt-pcap", "--cipher", "AES-256-GCM",
                "--key-material", keyFile(GENERATIONS).toString(), "--in", wire.toString(),
                "--out", inner.toString(), "--verify-reencrypt", "--crypto", "jdk");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of("decrypted 68 of 68 data packets", "re-encrypted 68 of 68 byte-exact"),
                r.out().lines().toList());
        try (PcapReader reader = PcapReader.open(inner)) {
            while (reader.nextFrame() != null) {
                // count them
            }
            assertEquals(67, reader.frames(), "the keepalive ping is decrypted but not written");
        }
    }

    @Test
    void failuresBeyondTwentyAreSummarised() throws IOException {
        DecryptPcapCommandTest.Result r = DecryptPcapCommandTest.run("decrypt-pcap", "--cipher", "AES-256-GCM",
                "--key-material", keyFile(2).toString(), "--in", session().toString(), "--crypto", "jdk");
        assertEquals(1, r.exit());
        List<String> lines = r.out().lines().toList();
        assertEquals(22, lines.size(), r.out());
        assertTrue(lines.get(0).contains("unknown_key (" + tmp.resolve("keys.hex") + " has 2 line(s), none for key-id 2)"),
                lines.get(0));
        assertEquals("... 40 more", lines.get(20));
        assertEquals("decrypted 8 of 68 data packets", lines.get(21));
    }

    private Path keyFile(int lines) throws IOException {
        StringBuilder sb = new StringBuilder("# one key generation per line\n");
        for (int i = 0; i < lines; i++) {
            sb.append(HexFormat.of().formatHex(blocks[i])).append('\n');
        }
        return Files.writeString(tmp.resolve("keys.hex"), sb);
    }

    /**
     * For each generation: client→server with the new key, one server→client packet still
     * with the previous (lame-duck) key, then both directions with the new key; a keepalive
     * ping in generation 3. 17 × 3 + 16 + 1 = 68 data packets.
     */
    private Path session() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (int line = 1; line <= GENERATIONS; line++) {
            frames.add(packet(line, true, inner(line)));
            if (line > 1) {
                frames.add(packet(line - 1, false, inner(line)));
            }
            frames.add(packet(line, false, inner(line)));
            frames.add(packet(line, true, inner(line)));
            if (line == 3) {
                frames.add(packet(line, true, Wire.PING.clone()));
            }
        }
        return Files.write(tmp.resolve("rekey.pcap"), TestPcaps.pcap(101, ByteOrder.LITTLE_ENDIAN, false, frames));
    }

    private static byte[] inner(int line) {
        return TestPcaps.ipv4Udp(new byte[] {10, 8, 0, 2}, 53, new byte[] {10, 8, 0, 1}, 53, new byte[line * 10]);
    }

    /** The outer IPv4/UDP datagram carrying {@code plaintext} sealed with generation {@code line}. */
    private byte[] packet(int line, boolean clientToServer, byte[] plaintext) {
        Role sender = clientToServer ? Role.CLIENT : Role.SERVER;
        long packetId = ++nextPacketId[line][sender.ordinal()];
        try (KeyMaterial km = KeyMaterial.of(blocks[line - 1]);
             KeySlot slot = KeySlot.create(ENGINE, KeyGenerations.keyIdOfLine(line), ALG, km, sender, 64);
             AeadScratch scratch = ENGINE.newScratch();
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Wire.DATA_V2_OVERHEAD + plaintext.length);
            MemorySegment.copy(plaintext, 0, buf, ValueLayout.JAVA_BYTE, Wire.DATA_V2_OVERHEAD, plaintext.length);
            assertEquals(Verdict.OK, DataChannel.seal(slot, 7, packetId, scratch, buf, 0, plaintext.length));
            byte[] wire = buf.toArray(ValueLayout.JAVA_BYTE);
            return clientToServer
                    ? TestPcaps.ipv4Udp(TestPcaps.V4_CLIENT, 40000, TestPcaps.V4_SERVER, 1194, wire)
                    : TestPcaps.ipv4Udp(TestPcaps.V4_SERVER, 1194, TestPcaps.V4_CLIENT, 40000, wire);
        }
    }
}

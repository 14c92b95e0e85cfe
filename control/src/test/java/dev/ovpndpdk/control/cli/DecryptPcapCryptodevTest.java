package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.control.cli.DecryptPcapCommandTest.Result;
import dev.ovpndpdk.control.pcap.PcapReader;
import dev.ovpndpdk.control.pcap.TestPcaps;
import dev.ovpndpdk.control.pcap.UdpDatagram;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.ReplayWindow;
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
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * decrypt-pcap on DPDK cryptodev's software PMDs gives what the synchronous intel-ipsec-mb run
 * gives: the same stdout, the same exit status, the same output capture, byte for byte. EAL
 * comes up bare in this JVM on the first engine and stays (docs/crypto-offload.md).
 */
@Timeout(60)
class DecryptPcapCryptodevTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void needsDpdkAndIpsecMb() {
        assumeTrue(Dpdk.isAvailable(), "decrypt-pcap on cryptodev not tested: " + Dpdk.unavailableReason());
        assumeTrue(IpsecMbEngine.isAvailable(), "no synchronous aesni run to compare with: "
                + IpsecMbEngine.unavailableReason());
    }

    /** Runs decrypt-pcap with {@code crypto}, writing {@code tag}.pcap; returns the result and the file. */
    private Ran run(String crypto, String tag, CipherAlg cipher, Path keys, Path wire) throws IOException {
        Path inner = tmp.resolve(tag + ".pcap");
        Result r = DecryptPcapCommandTest.run("decrypt-pcap", "--cipher", cipher.openvpnName(),
                "--key-material", keys.toString(), "--in", wire.toString(), "--out", inner.toString(),
                "--verify-reencrypt", "--crypto", crypto, "--quiet");
        return new Ran(r, Files.readAllBytes(inner));
    }

    private record Ran(Result result, byte[] inner) {
    }

    private static void assertSameAs(Ran sync, Ran async) {
        assertEquals(sync.result().exit(), async.result().exit(), async.result().toString());
        assertEquals(sync.result().out(), async.result().out());
        assertEquals("", async.result().err());
        assertArrayEquals(sync.inner(), async.inner(), "output capture");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cryptodev:crypto_aesni_gcm0", "cryptodev:crypto_aesni_mb0", "cryptodev"})
    void theRealSessionDecryptsAsWithAesni(String crypto) throws IOException {
        Ran sync = run("aesni", "sync", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), Vectors.wire());
        Ran async = run(crypto, "async", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), Vectors.wire());
        assertEquals(0, async.result().exit(), async.result().toString());
        assertEquals(List.of("decrypted 11 of 11 data packets", "re-encrypted 11 of 11 byte-exact"),
                async.result().out().lines().toList());
        assertSameAs(sync, async);
    }

    @Test
    void aTamperedPacketFailsAsWithAesni() throws IOException {
        byte[] file = Files.readAllBytes(Vectors.wire());
        List<long[]> data = dataPayloads(Vectors.wire()); // {file offset, length} per P_DATA_V2
        long[] third = data.get(2);
        file[(int) (third[0] + third[1] - 1)] ^= 0x01; // the last ciphertext byte
        Path tampered = Files.write(tmp.resolve("tampered.pcap"), file);

        Ran sync = run("aesni", "sync", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), tampered);
        Ran async = run("cryptodev:crypto_aesni_gcm0", "async", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), tampered);
        assertEquals(1, async.result().exit());
        List<String> lines = async.result().out().lines().toList();
        assertTrue(lines.get(0).matches("data packet 3 \\(frame \\d+\\): \\S+ key-id 0 packet-id \\d+: "
                + "auth_failed \\(tried key line 1\\)"), lines.get(0));
        assertEquals(List.of("decrypted 10 of 11 data packets", "re-encrypted 10 of 10 byte-exact"), lines.subList(1, 3));
        assertSameAs(sync, async);
    }

    /**
     * 44 data packets (the session four times: there is no replay check), so bursts fill and
     * wrap; a tampered packet and a truncated one inside a burst keep their place in the output.
     */
    @Test
    void fullBurstsAndFailuresBetweenThemKeepCaptureOrder() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (PcapReader r = PcapReader.open(Vectors.wire())) {
            assertEquals(1, r.linkType(), "Ethernet");
            List<byte[]> once = new ArrayList<>();
            for (PcapReader.Frame f = r.nextFrame(); f != null; f = r.nextFrame()) {
                once.add(f.data());
            }
            for (int i = 0; i < 4; i++) {
                once.forEach(f -> frames.add(f.clone()));
            }
        }
        Path four = Files.write(tmp.resolve("four.pcap"), TestPcaps.pcap(1, ByteOrder.LITTLE_ENDIAN, false, frames));
        List<long[]> data = dataPayloads(four);
        assertEquals(44, data.size());
        byte[] file = Files.readAllBytes(four);
        long[] fifth = data.get(4);
        file[(int) (fifth[0] + fifth[1] - 1)] ^= 0x01;
        Path tampered = Files.write(tmp.resolve("tampered.pcap"), file);
        frames.clear();
        try (PcapReader r = PcapReader.open(tampered)) { // data packet 20 cut to half by the "snapshot length"
            for (PcapReader.Frame f = r.nextFrame(); f != null; f = r.nextFrame()) {
                boolean cut = f.offset() < data.get(19)[0] && data.get(19)[0] < f.offset() + 16 + f.data().length;
                frames.add(cut ? Arrays.copyOf(f.data(), f.data().length / 2) : f.data());
            }
        }
        Path both = Files.write(tmp.resolve("both.pcap"), TestPcaps.pcap(1, ByteOrder.LITTLE_ENDIAN, false, frames));

        Ran sync = run("aesni", "sync", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), both);
        Ran async = run("cryptodev:crypto_aesni_gcm0", "async", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), both);
        List<String> lines = async.result().out().lines().toList();
        assertTrue(lines.get(0).startsWith("data packet 5 ") && lines.get(0).endsWith("auth_failed (tried key line 1)"),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("data packet 20 ") && lines.get(1).contains("truncated in the capture"),
                lines.get(1));
        assertEquals(List.of("decrypted 42 of 44 data packets", "re-encrypted 42 of 42 byte-exact"), lines.subList(2, 4));
        assertSameAs(sync, async);
    }

    /**
     * No real ChaCha20-Poly1305 capture is held; this one is the real session's plaintexts sealed
     * again with CHACHA20-POLY1305 (same keys, headers, packet-ids) by intel-ipsec-mb, so both
     * runs read the same bytes: crypto_aesni_mb is the PMD that has the cipher.
     */
    @Test
    void aChachaSessionDecryptsOnAesniMbAsWithAesni() throws IOException {
        Path chacha = Files.write(tmp.resolve("chacha.pcap"), resealed(CipherAlg.CHACHA20_POLY1305));
        Ran sync = run("aesni", "sync", CipherAlg.CHACHA20_POLY1305, Vectors.keyMaterial(), chacha);
        Ran async = run("cryptodev:crypto_aesni_mb0", "async", CipherAlg.CHACHA20_POLY1305,
                Vectors.keyMaterial(), chacha);
        assertEquals(0, async.result().exit(), async.result().toString());
        assertSameAs(sync, async);
        Ran aes = run("aesni", "aes", CipherAlg.AES_256_GCM, Vectors.keyMaterial(), Vectors.wire());
        assertArrayEquals(aes.inner(), async.inner(), "the same plaintexts as the AES-GCM session");
    }

    @Test
    void aCipherTheDeviceLacksIsOneLine() {
        Result r = DecryptPcapCommandTest.run("decrypt-pcap", "--cipher", "CHACHA20-POLY1305",
                "--key-material", Vectors.keyMaterial().toString(), "--in", Vectors.wire().toString(),
                "--crypto", "cryptodev:crypto_aesni_gcm0", "--quiet");
        assertOneLine(r, "ovpn-dpdk: --crypto cryptodev:crypto_aesni_gcm0 does not support CHACHA20-POLY1305 (");
    }

    @Test
    void anEngineThatCannotStartIsOneLine() {
        Result r = DecryptPcapCommandTest.run("decrypt-pcap", "--cipher", "AES-256-GCM",
                "--key-material", Vectors.keyMaterial().toString(), "--in", Vectors.wire().toString(),
                "--crypto", "cryptodev:crypto_nosuchpmd0", "--quiet");
        assertOneLine(r, "ovpn-dpdk: --crypto cryptodev:crypto_nosuchpmd0: rte_vdev_init(crypto_nosuchpmd0) failed");
    }

    private static void assertOneLine(Result r, String start) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith(start), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals("", r.out());
    }

    /** Where each P_DATA_V2 payload of the capture is in the file: {offset, length}. */
    private static List<long[]> dataPayloads(Path wire) throws IOException {
        List<long[]> found = new ArrayList<>();
        try (PcapReader frames = PcapReader.open(wire); PcapReader udp = PcapReader.open(wire)) {
            for (UdpDatagram d = udp.nextUdp(); d != null; d = udp.nextUdp()) {
                PcapReader.Frame f = frames.nextFrame();
                while (f.number() < d.frame()) {
                    f = frames.nextFrame();
                }
                byte[] p = d.payload();
                if (p.length > 0 && (p[0] & 0xFF) >>> Wire.OPCODE_SHIFT == Wire.P_DATA_V2) {
                    long at = f.offset() + 16 + f.data().length - p.length; // the payload ends the frame
                    assertArrayEquals(p, Arrays.copyOfRange(f.data(), f.data().length - p.length,
                            f.data().length), "frame " + f.number() + " ends with its UDP payload");
                    found.add(new long[] {at, p.length});
                }
            }
        }
        return found;
    }

    /** The held capture with every data packet opened with AES-256-GCM and sealed again with {@code alg}. */
    private static byte[] resealed(CipherAlg alg) throws IOException {
        byte[] file = Files.readAllBytes(Vectors.wire());
        AeadEngine engine = IpsecMbEngine.create();
        List<KeyMaterial> km = KeyMaterial.readAll(Vectors.keyMaterial());
        try (Arena arena = Arena.ofConfined(); AeadScratch scratch = engine.newScratch()) {
            MemorySegment buf = arena.allocate(65536, 64);
            for (long[] at : dataPayloads(Vectors.wire())) {
                int len = (int) at[1];
                MemorySegment.copy(file, (int) at[0], buf, ValueLayout.JAVA_BYTE, 0, len);
                // The server port's packets go server->client: the client receives them.
                Role receiver = null;
                Verdict v = Verdict.AUTH_FAILED;
                for (Role r : Role.values()) {
                    MemorySegment.copy(file, (int) at[0], buf, ValueLayout.JAVA_BYTE, 0, len);
                    try (KeySlot open = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km.get(0), r, ReplayWindow.MIN_SIZE)) {
                        v = DataChannel.open(open, scratch, buf, 0, len);
                    }
                    if (v == Verdict.OK) {
                        receiver = r;
                        break;
                    }
                }
                assertEquals(Verdict.OK, v, "the held packet opens");
                Role sender = receiver == Role.CLIENT ? Role.SERVER : Role.CLIENT;
                try (KeySlot seal = KeySlot.create(engine, 0, alg, km.get(0), sender, ReplayWindow.MIN_SIZE)) {
                    assertEquals(Verdict.OK, DataChannel.seal(seal, DataChannel.peerId(buf, 0), DataChannel.packetId(buf, 0),
                            scratch, buf, 0, len - Wire.CIPHERTEXT_OFFSET));
                }
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, file, (int) at[0], len);
            }
        } finally {
            km.forEach(KeyMaterial::close);
        }
        return file;
    }
}

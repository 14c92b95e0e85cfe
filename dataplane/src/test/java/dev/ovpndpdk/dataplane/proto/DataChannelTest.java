package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataChannelTest {
    private static final long NOW = 1_000_000_000L;
    /** The first client→server P_DATA_V2 packet of vectors/openvpn-2.6-aes-256-gcm. */
    private static final String VECTOR_PACKET_1 = "480000000000000124ee9af488591f04d6e43ae5414113c7930395c066bc31d8"
            + "e422c3dea0693e6f24b99cc8bedf8bc2f7f61245d6ebdaff2ad2f49e734ba2e5354eeef654ceaa84";

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    static Stream<AeadEngine> engines() {
        return TestEngines.all().stream();
    }

    static Stream<Arguments> enginesAndCiphers() {
        return TestEngines.all().stream()
                .flatMap(e -> Stream.of(CipherAlg.values()).map(a -> Arguments.of(e, a)));
    }

    static KeyMaterial randomMaterial(long seed) {
        byte[] b = new byte[KeyMaterial.BLOCK_LENGTH];
        new Random(seed).nextBytes(b);
        return KeyMaterial.of(b);
    }

    private MemorySegment packet(int plaintextLen, byte[] plaintext) {
        MemorySegment buf = arena.allocate(Wire.DATA_V2_OVERHEAD + plaintextLen + 64, 64);
        MemorySegment.copy(plaintext, 0, buf, ValueLayout.JAVA_BYTE, Wire.DATA_V2_OVERHEAD, plaintextLen);
        return buf;
    }

    private static byte[] ipv4(int len, Random r) {
        byte[] p = new byte[len];
        r.nextBytes(p);
        p[0] = 0x45;
        return p;
    }

    @ParameterizedTest
    @MethodSource("engines")
    void vectorPacketFromOpenVpn26DecryptsAndReencryptsByteExact(AeadEngine engine) throws IOException {
        List<KeyMaterial> km = KeyMaterial.readAll(Vectors.dir().resolve("key-material.hex"));
        byte[] wire = HexFormat.of().parseHex(VECTOR_PACKET_1);
        try (KeySlot server = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km.get(0), Role.SERVER, 2048);
             AeadScratch s = engine.newScratch()) {
            MemorySegment buf = arena.allocate(wire.length);
            MemorySegment.copy(wire, 0, buf, ValueLayout.JAVA_BYTE, 0, wire.length);
            KeySlots slots = new KeySlots();
            slots.install(KeySlots.Slot.PRIMARY, server);
            assertEquals(0, DataChannel.peerId(buf, 0));
            assertEquals(1, DataChannel.packetId(buf, 0));
            assertEquals(Verdict.OK, DataChannel.decrypt(slots.current(), s, buf, 0, wire.length, NOW));
            assertEquals(6, buf.get(ValueLayout.JAVA_BYTE, 24) >> 4 & 0xF, "an IPv6 packet inside");

            // Re-encrypt as the client would have: same key-id, peer-id and packet-id.
            try (KeySlot client = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km.get(0), Role.CLIENT, 2048)) {
                assertEquals(Verdict.OK, DataChannel.seal(client, 0, 1, s, buf, 0, wire.length - 24));
                assertArrayEquals(wire, buf.toArray(ValueLayout.JAVA_BYTE));
            }
        } finally {
            km.forEach(KeyMaterial::close);
        }
    }

    @Test
    void headerMatchesTheLinuxSelftestPattern() {
        assertEquals(0x48000001, Wire.dataV2Word(0, 1));
        assertEquals(0x4F123456, Wire.dataV2Word(7, 0x123456));
    }

    @ParameterizedTest
    @MethodSource("enginesAndCiphers")
    void clientAndServerUnderstandEachOther(AeadEngine engine, CipherAlg alg) {
        Random r = new Random(alg.ordinal());
        try (KeyMaterial km = randomMaterial(7);
             KeySlot client = KeySlot.create(engine, 3, alg, km, Role.CLIENT, 2048);
             KeySlot server = KeySlot.create(engine, 3, alg, km, Role.SERVER, 2048);
             AeadScratch s = engine.newScratch()) {
            KeySlots c = new KeySlots();
            c.install(KeySlots.Slot.PRIMARY, client);
            KeySlots sv = new KeySlots();
            sv.install(KeySlots.Slot.PRIMARY, server);
            for (int len : new int[]{20, 40, 41, 100, 1400, 1424, 9000}) {
                byte[] p = ipv4(len, r);
                MemorySegment buf = packet(len, p);
                assertEquals(Verdict.OK, DataChannel.encrypt(c.current(), 0x123456, s, buf, 0, len));
                assertEquals(0x4B123456, buf.get(Wire.BE_INT, 0));
                assertFalse(java.util.Arrays.equals(p, buf.asSlice(24, len).toArray(ValueLayout.JAVA_BYTE)), "encrypted");
                assertEquals(Verdict.OK, DataChannel.decrypt(sv.current(), s, buf, 0, len + 24, NOW));
                assertArrayEquals(p, buf.asSlice(24, len).toArray(ValueLayout.JAVA_BYTE));

                // and the other way round
                buf = packet(len, p);
                assertEquals(Verdict.OK, DataChannel.encrypt(sv.current(), 1, s, buf, 0, len));
                assertEquals(Verdict.OK, DataChannel.decrypt(c.current(), s, buf, 0, len + 24, NOW));
                assertArrayEquals(p, buf.asSlice(24, len).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void tamperingAnyByteMakesDecryptionFail(AeadEngine engine) {
        Random r = new Random(3);
        int len = 100;
        byte[] p = ipv4(len, r);
        try (KeyMaterial km = randomMaterial(9);
             KeySlot client = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.CLIENT, 2048);
             KeySlot server = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.SERVER, 2048);
             AeadScratch s = engine.newScratch()) {
            KeySlots c = new KeySlots();
            c.install(KeySlots.Slot.PRIMARY, client);
            KeySlots sv = new KeySlots();
            sv.install(KeySlots.Slot.PRIMARY, server);
            MemorySegment sealed = packet(len, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(c.current(), 5, s, sealed, 0, len));
            byte[] wire = sealed.asSlice(0, len + 24).toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < wire.length; i++) {
                for (int bit : new int[]{0x01, 0x80}) {
                    MemorySegment t = arena.allocate(wire.length);
                    MemorySegment.copy(wire, 0, t, ValueLayout.JAVA_BYTE, 0, wire.length);
                    t.set(ValueLayout.JAVA_BYTE, i, (byte) (wire[i] ^ bit));
                    Verdict v = DataChannel.decrypt(sv.current(), s, t, 0, wire.length, NOW);
                    assertTrue(v.isDrop(), "byte " + i + " bit " + bit + " gave " + v);
                    if (i >= 1) {
                        assertEquals(Verdict.AUTH_FAILED, v, "byte " + i);
                    }
                }
            }
            // The untouched packet still decrypts: failed attempts did not move the window.
            MemorySegment ok = arena.allocate(wire.length);
            MemorySegment.copy(wire, 0, ok, ValueLayout.JAVA_BYTE, 0, wire.length);
            assertEquals(Verdict.OK, DataChannel.decrypt(sv.current(), s, ok, 0, wire.length, NOW));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void keyIdPicksTheSlotAndSwapMovesEncryption(AeadEngine engine) {
        Random r = new Random(4);
        try (KeyMaterial k0 = randomMaterial(10); KeyMaterial k1 = randomMaterial(11);
             KeySlot c0 = KeySlot.create(engine, 0, CipherAlg.AES_128_GCM, k0, Role.CLIENT, 64);
             KeySlot c1 = KeySlot.create(engine, 1, CipherAlg.CHACHA20_POLY1305, k1, Role.CLIENT, 64);
             KeySlot s0 = KeySlot.create(engine, 0, CipherAlg.AES_128_GCM, k0, Role.SERVER, 64);
             KeySlot s1 = KeySlot.create(engine, 1, CipherAlg.CHACHA20_POLY1305, k1, Role.SERVER, 64);
             AeadScratch s = engine.newScratch()) {
            KeySlots client = new KeySlots();
            client.install(KeySlots.Slot.PRIMARY, c0);
            client.install(KeySlots.Slot.SECONDARY, c1);
            KeySlots server = new KeySlots();
            server.install(KeySlots.Slot.PRIMARY, s0);
            server.install(KeySlots.Slot.SECONDARY, s1);

            byte[] p = ipv4(60, r);
            MemorySegment buf = packet(60, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(client.current(), 1, s, buf, 0, 60));
            assertEquals(0, DataChannel.keyId(buf, 0));
            assertEquals(Verdict.OK, DataChannel.decrypt(server.current(), s, buf, 0, 84, NOW));

            client.swap(); // the client moves to key-id 1; the server still sends with 0
            buf = packet(60, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(client.current(), 1, s, buf, 0, 60));
            assertEquals(1, DataChannel.keyId(buf, 0));
            assertEquals(Verdict.OK, DataChannel.decrypt(server.current(), s, buf, 0, 84, NOW), "server decrypts from its secondary");

            assertEquals(s1, server.delete(KeySlots.Slot.SECONDARY));
            buf = packet(60, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(client.current(), 1, s, buf, 0, 60));
            assertEquals(Verdict.UNKNOWN_KEY, DataChannel.decrypt(server.current(), s, buf, 0, 84, NOW));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void packetIdsStartAtOneRequestRekeyAndNeverWrap(AeadEngine engine) {
        try (KeyMaterial km = randomMaterial(12);
             KeySlot c = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.CLIENT, 2048);
             AeadScratch s = engine.newScratch()) {
            KeySlots keys = new KeySlots();
            keys.install(KeySlots.Slot.PRIMARY, c);
            byte[] p = ipv4(20, new Random(1));
            MemorySegment buf = packet(20, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, buf, 0, 20));
            assertEquals(1, DataChannel.packetId(buf, 0));
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, packet(20, p), 0, 20));
            assertEquals(3, c.peekNextTxPacketId());

            c.setNextTxPacketId(Wire.PACKET_ID_REKEY - 1);
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, packet(20, p), 0, 20));
            assertFalse(c.rekeyRequested());
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, packet(20, p), 0, 20));
            assertTrue(c.rekeyRequested(), "0xFF000000 asks for a rekey");

            c.setNextTxPacketId(Wire.PACKET_ID_LAST);
            buf = packet(20, p);
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, buf, 0, 20));
            assertEquals(0xFFFFFFFFL, DataChannel.packetId(buf, 0));
            assertEquals(Verdict.KEY_EXHAUSTED, DataChannel.encrypt(keys.current(), 1, s, packet(20, p), 0, 20));
            assertEquals(Verdict.KEY_EXHAUSTED, DataChannel.encrypt(keys.current(), 1, s, packet(20, p), 0, 20));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void specialPayloadsAreRecognised(AeadEngine engine) {
        byte[] occExit = java.util.Arrays.copyOf(Wire.OCC_MAGIC, 17);
        occExit[16] = 6;
        byte[] occOther = occExit.clone();
        occOther[16] = 0;
        byte[] almostPing = Wire.PING.clone();
        almostPing[15] ^= 1;
        byte[] longPing = java.util.Arrays.copyOf(Wire.PING, 17);
        byte[] arp = new byte[28];
        arp[0] = 0x00;
        byte[] shortV4 = {0x45, 0, 0, 10};
        Object[][] cases = {
                {Wire.PING, Verdict.PING}, {occExit, Verdict.OCC_EXIT}, {occOther, Verdict.NOT_IP},
                {almostPing, Verdict.NOT_IP}, {longPing, Verdict.NOT_IP}, {arp, Verdict.NOT_IP},
                {shortV4, Verdict.NOT_IP}, {new byte[]{0x60}, Verdict.NOT_IP},
        };
        try (KeyMaterial km = randomMaterial(13);
             KeySlot c = KeySlot.create(engine, 2, CipherAlg.CHACHA20_POLY1305, km, Role.CLIENT, 2048);
             KeySlot sv = KeySlot.create(engine, 2, CipherAlg.CHACHA20_POLY1305, km, Role.SERVER, 2048);
             AeadScratch s = engine.newScratch()) {
            KeySlots client = new KeySlots();
            client.install(KeySlots.Slot.PRIMARY, c);
            KeySlots server = new KeySlots();
            server.install(KeySlots.Slot.PRIMARY, sv);
            for (Object[] cs : cases) {
                byte[] p = (byte[]) cs[0];
                MemorySegment buf = packet(p.length, p);
                assertEquals(Verdict.OK, DataChannel.encrypt(client.current(), 1, s, buf, 0, p.length));
                assertEquals(cs[1], DataChannel.decrypt(server.current(), s, buf, 0, p.length + 24, NOW),
                        HexFormat.of().formatHex(p));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void replayedAndZeroIdPacketsAreDroppedAfterAuthentication(AeadEngine engine) {
        try (KeyMaterial km = randomMaterial(14);
             KeySlot c = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.CLIENT, 64);
             KeySlot sv = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.SERVER, 64);
             AeadScratch s = engine.newScratch()) {
            KeySlots server = new KeySlots();
            server.install(KeySlots.Slot.PRIMARY, sv);
            byte[] p = ipv4(50, new Random(2));
            MemorySegment buf = packet(50, p);
            assertEquals(Verdict.OK, DataChannel.seal(c, 9, 7, s, buf, 0, 50));
            byte[] wire = buf.asSlice(0, 74).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(Verdict.OK, DataChannel.decrypt(server.current(), s, buf, 0, 74, NOW));
            MemorySegment again = arena.allocate(74);
            MemorySegment.copy(wire, 0, again, ValueLayout.JAVA_BYTE, 0, 74);
            assertEquals(Verdict.REPLAY, DataChannel.decrypt(server.current(), s, again, 0, 74, NOW));

            MemorySegment zero = packet(50, p);
            assertEquals(Verdict.OK, DataChannel.seal(c, 9, 0, s, zero, 0, 50));
            assertEquals(Verdict.REPLAY, DataChannel.decrypt(server.current(), s, zero, 0, 74, NOW));
        }
    }

    @Test
    void nonDataPacketsAreClassifiedWithoutCrypto() {
        KeySlots none = new KeySlots();
        MemorySegment buf = arena.allocate(100);
        AeadScratch s = new dev.ovpndpdk.aesni.JdkAeadEngine().newScratch();
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) Wire.opcodeByte(Wire.P_CONTROL_V1, 0));
        assertEquals(Verdict.NOT_DATA_V2, DataChannel.decrypt(none.current(), s, buf, 0, 100, NOW));
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) Wire.opcodeByte(Wire.P_DATA_V1, 0));
        assertEquals(Verdict.DATA_V1, DataChannel.decrypt(none.current(), s, buf, 0, 100, NOW));
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) Wire.opcodeByte(Wire.P_DATA_V2, 0));
        assertEquals(Verdict.MALFORMED, DataChannel.decrypt(none.current(), s, buf, 0, 24, NOW));
        assertEquals(Verdict.UNKNOWN_KEY, DataChannel.decrypt(none.current(), s, buf, 0, 25, NOW));
        assertEquals(Verdict.MALFORMED, DataChannel.decrypt(none.current(), s, buf, 0, 101, NOW), "longer than the buffer");
        assertEquals(Verdict.MALFORMED, DataChannel.decrypt(none.current(), s, buf, 90, 20, NOW));
        assertEquals(Verdict.MALFORMED, DataChannel.decrypt(none.current(), s, buf, -1, 20, NOW));
        assertEquals(Verdict.NO_KEY, DataChannel.encrypt(none.current(), 1, s, buf, 0, 20));

        // Both overloads (the one the worker uses takes the header it read) classify every
        // length the same way, down to empty packets. The expectation is spelled out here: the
        // overload without a header delegates to the other, so comparing the two would prove nothing.
        for (int op : new int[] {Wire.P_CONTROL_V1, Wire.P_DATA_V1, Wire.P_DATA_V2}) {
            buf.set(ValueLayout.JAVA_BYTE, 0, (byte) Wire.opcodeByte(op, 0));
            for (int len = 0; len <= 30; len++) {
                Verdict expected = len == 0 ? Verdict.MALFORMED
                        : op == Wire.P_CONTROL_V1 ? Verdict.NOT_DATA_V2
                        : op == Wire.P_DATA_V1 ? Verdict.DATA_V1
                        : len < Wire.DATA_V2_MIN_LENGTH ? Verdict.MALFORMED : Verdict.UNKNOWN_KEY;
                assertEquals(expected, DataChannel.decrypt(none.current(), s, buf, 0, len, NOW),
                        "opcode " + op + ", " + len + " bytes");
                assertEquals(expected, DataChannel.decrypt(none.current(), s, buf, 0, len, DataChannel.header(buf, 0, len), NOW),
                        "opcode " + op + ", " + len + " bytes, header read by the caller");
            }
        }
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x48);
        buf.set(ValueLayout.JAVA_BYTE, 1, (byte) 0x12);
        assertEquals(0x4812_0000_0000_0000L, DataChannel.header(buf, 0, 2), "short: what there is, zero-filled");
        s.close();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void encryptRefusesABufferTooSmall(AeadEngine engine) {
        try (KeyMaterial km = randomMaterial(15);
             KeySlot c = KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km, Role.CLIENT, 64);
             AeadScratch s = engine.newScratch()) {
            KeySlots keys = new KeySlots();
            keys.install(KeySlots.Slot.PRIMARY, c);
            MemorySegment buf = arena.allocate(100);
            assertEquals(Verdict.MALFORMED, DataChannel.encrypt(keys.current(), 1, s, buf, 0, 77));
            assertEquals(1, c.peekNextTxPacketId(), "no packet-id spent on a refused packet");
            assertEquals(Verdict.OK, DataChannel.encrypt(keys.current(), 1, s, buf, 0, 76));
            assertNotEquals(0, buf.get(ValueLayout.JAVA_BYTE, 0));
        }
    }
}

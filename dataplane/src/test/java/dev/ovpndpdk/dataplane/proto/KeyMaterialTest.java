package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.CipherAlg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyMaterialTest {
    @TempDir
    Path dir;

    static byte[] block() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void directionsFollowTheKey2Layout() {
        try (KeyMaterial km = KeyMaterial.of(block())) {
            assertEquals(0, bytes(km.cipherKey(0, CipherAlg.AES_256_GCM))[0]);
            assertEquals(32, km.cipherKey(0, CipherAlg.AES_256_GCM).byteSize());
            assertEquals(16, km.cipherKey(1, CipherAlg.AES_128_GCM).byteSize());
            assertEquals((byte) 128, bytes(km.cipherKey(1, CipherAlg.AES_192_GCM))[0]);
            assertArrayEquals(new byte[]{64, 65, 66, 67, 68, 69, 70, 71}, bytes(km.nonceTail(0)));
            assertEquals((byte) 192, bytes(km.nonceTail(1))[0]);
        }
    }

    @Test
    void clientEncryptsWithKeys0AndServerWithKeys1() {
        assertEquals(0, Role.CLIENT.encryptIndex());
        assertEquals(1, Role.CLIENT.decryptIndex());
        assertEquals(1, Role.SERVER.encryptIndex());
        assertEquals(0, Role.SERVER.decryptIndex());
    }

    @Test
    void hexAndBase64AreBothAccepted() {
        byte[] b = block();
        try (KeyMaterial hex = KeyMaterial.parse(HexFormat.of().formatHex(b));
             KeyMaterial b64 = KeyMaterial.parse(Base64.getEncoder().encodeToString(b))) {
            assertArrayEquals(bytes(hex.nonceTail(1)), bytes(b64.nonceTail(1)));
            assertArrayEquals(bytes(hex.cipherKey(0, CipherAlg.AES_256_GCM)), bytes(b64.cipherKey(0, CipherAlg.AES_256_GCM)));
        }
    }

    @Test
    void wrongLengthIsRefusedWithoutEchoingTheKey() {
        String shortHex = HexFormat.of().formatHex(new byte[255]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyMaterial.parse(shortHex));
        assertTrue(e.getMessage().contains("255 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("0000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyMaterial.parse("not a key!"));
        assertThrows(IllegalArgumentException.class, () -> KeyMaterial.parse(""));
    }

    @Test
    void fileWithOneBlockPerLine() throws IOException {
        byte[] b = block();
        Path f = dir.resolve("keys.hex");
        Files.writeString(f, "# session keys\n" + HexFormat.of().formatHex(b) + "\n\n"
                + Base64.getEncoder().encodeToString(b) + "\n");
        List<KeyMaterial> all = KeyMaterial.readAll(f);
        assertEquals(2, all.size());
        all.forEach(KeyMaterial::close);
    }

    @Test
    void badLineIsNamedInTheError() throws IOException {
        Path f = dir.resolve("keys.hex");
        Files.writeString(f, HexFormat.of().formatHex(block()) + "\n" + HexFormat.of().formatHex(new byte[200]) + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyMaterial.readAll(f));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void openvpnStaticKeyFileIsAccepted() throws IOException {
        String hex = HexFormat.of().formatHex(block());
        StringBuilder sb = new StringBuilder("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n");
        for (int i = 0; i < hex.length(); i += 32) {
            sb.append(hex, i, i + 32).append('\n');
        }
        sb.append("-----END OpenVPN Static key V1-----\n");
        Path f = dir.resolve("static.key");
        Files.writeString(f, sb);
        try (KeyMaterial km = KeyMaterial.readOne(f)) {
            assertEquals((byte) 64, bytes(km.nonceTail(0))[0]);
        }
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path f = dir.resolve("empty");
        Files.writeString(f, "\n# nothing\n");
        assertThrows(IllegalArgumentException.class, () -> KeyMaterial.readAll(f));
    }

    @Test
    void closedMaterialCannotBeReadAnyMore() {
        KeyMaterial km = KeyMaterial.of(block());
        MemorySegment tail = km.nonceTail(0);
        km.close();
        km.close();
        assertThrows(IllegalStateException.class, () -> tail.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void toStringNeverShowsKeyBytes() {
        try (KeyMaterial km = KeyMaterial.of(block())) {
            assertFalse(km.toString().matches(".*[0-9a-f]{8}.*"));
        }
    }
}

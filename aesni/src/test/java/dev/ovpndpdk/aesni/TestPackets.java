package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Engines by name and packets laid out as the data channel puts them: AAD at 0, the 16-byte
 * tag right after it, then the data (spec §1.3), in native memory.
 */
final class TestPackets {
    private TestPackets() {
    }

    static final int TAG = CipherAlg.TAG_LENGTH;

    /** The engine names every engine-parameterised test runs over. */
    static List<String> engineNames() {
        return List.of("aesni", "jdk");
    }

    /** The engine of that name; skips the calling test (with the reason) where ipsec-mb is missing. */
    static AeadEngine engine(String name) {
        if (name.equals("aesni")) {
            assumeTrue(IpsecMbEngine.isAvailable(),
                    () -> "intel-ipsec-mb not available, test skipped: " + IpsecMbEngine.unavailableReason());
            return IpsecMbEngine.create();
        }
        return new JdkAeadEngine();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** [aad][tag: 16 zero bytes][data] in native memory of {@code arena}. */
    static MemorySegment packet(Arena arena, byte[] aad, byte[] data) {
        MemorySegment p = arena.allocate(aad.length + TAG + data.length, 64);
        MemorySegment.copy(aad, 0, p, JAVA_BYTE, 0, aad.length);
        MemorySegment.copy(data, 0, p, JAVA_BYTE, aad.length + TAG, data.length);
        return p;
    }

    static byte[] tag(MemorySegment packet, int aadLen) {
        return packet.asSlice(aadLen, TAG).toArray(JAVA_BYTE);
    }

    static byte[] data(MemorySegment packet, int aadLen) {
        return packet.asSlice(aadLen + TAG).toArray(JAVA_BYTE);
    }
}

package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.CipherAlg;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * One data-channel key block: the 256-byte {@code keys[2]} array of OpenVPN's
 * {@code struct key2}, as TLS-EKM with label {@code EXPORTER-OpenVPN-datakeys} produces it
 * (spec §2.1, vectors/README.md):
 *
 * <pre>
 *   0..63    keys[0].cipher   client→server cipher key (first 16/24/32 bytes used)
 *   64..127  keys[0].hmac     first 8 bytes: client→server nonce tail
 *   128..191 keys[1].cipher   server→client cipher key
 *   192..255 keys[1].hmac     first 8 bytes: server→client nonce tail
 * </pre>
 *
 * Held in native memory so that it can be zeroed for certain; {@link #close()} does that.
 * The bytes are never printed: {@link #toString()} shows only a fingerprint-free summary.
 */
public final class KeyMaterial implements AutoCloseable {
    public static final int BLOCK_LENGTH = 256;
    private static final int DIRECTION_LENGTH = 128;
    private static final int HMAC_OFFSET = 64;
    private static final String STATIC_KEY_BEGIN = "-----BEGIN OpenVPN Static key V1-----";
    private static final String STATIC_KEY_END = "-----END OpenVPN Static key V1-----";

    private final Arena arena = Arena.ofShared();
    private final MemorySegment block;

    private KeyMaterial(byte[] bytes) {
        block = arena.allocate(BLOCK_LENGTH, 64);
        MemorySegment.copy(bytes, 0, block, ValueLayout.JAVA_BYTE, 0, BLOCK_LENGTH);
    }

    /** Wraps 256 raw bytes (copied; the caller should zero its array). */
    public static KeyMaterial of(byte[] bytes) {
        if (bytes.length != BLOCK_LENGTH) {
            throw new IllegalArgumentException("key material must be " + BLOCK_LENGTH + " bytes, got " + bytes.length);
        }
        return new KeyMaterial(bytes);
    }

    /**
     * Parses one block written as hex (512 digits; whitespace and ':' ignored) or base64.
     *
     * @throws IllegalArgumentException saying what was wrong, never echoing the key text
     */
    public static KeyMaterial parse(String text) {
        byte[] raw = decode(text);
        try {
            return of(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Reads a key-material file: one block per non-empty line (line n = n-th key of a
     * session, the decrypt-pcap convention), or one block spread over several lines, or an
     * OpenVPN static key file ({@code -----BEGIN OpenVPN Static key V1-----}).
     * Lines starting with '#' are comments.
     *
     * @throws IllegalArgumentException naming the file and line that is wrong
     */
    public static List<KeyMaterial> readAll(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String t = l.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                lines.add(t);
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": no key material in the file");
        }
        boolean staticKey = lines.get(0).equals(STATIC_KEY_BEGIN);
        if (staticKey || lines.stream().noneMatch(l -> decodedLengthIs256(l))) {
            // One block over several lines (static key file, or wrapped hex/base64).
            StringBuilder all = new StringBuilder();
            for (String l : lines) {
                if (!l.equals(STATIC_KEY_BEGIN) && !l.equals(STATIC_KEY_END)) {
                    all.append(l);
                }
            }
            try {
                return List.of(parse(all.toString()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
        List<KeyMaterial> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.add(parse(lines.get(i)));
            } catch (IllegalArgumentException e) {
                out.forEach(KeyMaterial::close);
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Reads a file that must hold exactly one block. */
    public static KeyMaterial readOne(Path file) throws IOException {
        List<KeyMaterial> all = readAll(file);
        if (all.size() != 1) {
            all.forEach(KeyMaterial::close);
            throw new IllegalArgumentException(file + ": expected one key block, found " + all.size());
        }
        return all.get(0);
    }

    private static boolean decodedLengthIs256(String line) {
        try {
            byte[] b = decode(line);
            Arrays.fill(b, (byte) 0);
            return b.length == BLOCK_LENGTH;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] decode(String text) {
        String t = text.replaceAll("[\\s:]", "");
        byte[] raw;
        if (!t.isEmpty() && t.length() % 2 == 0 && t.chars().allMatch(HexFormat::isHexDigit)) {
            raw = HexFormat.of().parseHex(t);
        } else {
            try {
                raw = Base64.getDecoder().decode(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key material is neither hex nor base64");
            }
        }
        if (raw.length != BLOCK_LENGTH) {
            int n = raw.length;
            Arrays.fill(raw, (byte) 0);
            throw new IllegalArgumentException("key material must be " + BLOCK_LENGTH
                    + " bytes (512 hex digits or base64), got " + n + " bytes");
        }
        return raw;
    }

    /** The cipher key of direction {@code index} (0 = client→server), {@code alg.keyLength()} bytes. */
    public MemorySegment cipherKey(int index, CipherAlg alg) {
        checkIndex(index);
        return block.asSlice((long) index * DIRECTION_LENGTH, alg.keyLength());
    }

    /** The 8-byte nonce tail ("implicit IV") of direction {@code index}: its HMAC key's head (spec §2.3). */
    public MemorySegment nonceTail(int index) {
        checkIndex(index);
        return block.asSlice((long) index * DIRECTION_LENGTH + HMAC_OFFSET, Wire.NONCE_TAIL_LENGTH);
    }

    private static void checkIndex(int index) {
        if (index != 0 && index != 1) {
            throw new IllegalArgumentException("key direction must be 0 or 1");
        }
    }

    /** Zeroes and frees the block. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            block.fill((byte) 0);
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "KeyMaterial[256 bytes]";
    }
}

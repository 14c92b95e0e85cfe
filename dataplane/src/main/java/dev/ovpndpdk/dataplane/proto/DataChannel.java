package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.AeadScratch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The P_DATA_V2 codec: I/O-free, allocation-free, in place on packet memory (spec §1.2–1.3).
 * A packet's whole journey through the data channel, one method per direction:
 *
 * <pre>
 * decrypt: length → opcode → key slot by key-id → AEAD open → replay window → plaintext kind
 * encrypt: primary slot → packet-id → header → AEAD seal
 * </pre>
 *
 * Buffers: the packet starts at {@code off}; the plaintext sits at
 * {@code off + Wire.DATA_V2_OVERHEAD} both before encryption and after decryption, so the
 * caller reserves 24 bytes of headroom in front of a plaintext it wants to encrypt.
 * The caller owns the {@link AeadScratch} (one per worker).
 */
public final class DataChannel {
    private DataChannel() {
    }

    // --- header accessors (no crypto) ------------------------------------------------------

    public static int opcode(MemorySegment buf, long off) {
        return (buf.get(ValueLayout.JAVA_BYTE, off) & 0xFF) >>> Wire.OPCODE_SHIFT;
    }

    public static int keyId(MemorySegment buf, long off) {
        return buf.get(ValueLayout.JAVA_BYTE, off) & Wire.KEY_ID_MASK;
    }

    /** The 24-bit peer-id of a P_DATA_V2 packet (at least 4 bytes long). */
    public static int peerId(MemorySegment buf, long off) {
        return buf.get(Wire.BE_INT, off) & Wire.PEER_ID_MASK;
    }

    /** The opcode of a packet whose first 4 bytes, big-endian, are {@code word} (the high half of {@link #header}). */
    public static int opcodeOf(int word) {
        return word >>> (24 + Wire.OPCODE_SHIFT);
    }

    /** The key-id of a packet whose first 8 bytes are {@code head} ({@link #header}). */
    public static int keyIdOf(long head) {
        return (int) (head >>> 56) & Wire.KEY_ID_MASK;
    }

    /** The peer-id of a P_DATA_V2 packet whose first 4 bytes, big-endian, are {@code word}. */
    public static int peerIdOf(int word) {
        return word & Wire.PEER_ID_MASK;
    }

    /** The 32-bit packet-id of a P_DATA_V2 packet, unsigned. */
    public static long packetId(MemorySegment buf, long off) {
        return buf.get(Wire.BE_INT, off + Wire.PACKET_ID_OFFSET) & 0xFFFFFFFFL;
    }

    // --- receive ----------------------------------------------------------------------------

    /**
     * Decrypts one received datagram payload in place and runs the replay check.
     *
     * @param keys     the peer's key slots (one acquire load)
     * @param nowNanos monotonic time, for the replay window's expiry
     * @return {@link Verdict#OK} with the plaintext IP packet at {@code off + 24}, length
     *         {@code len - 24}; {@link Verdict#PING}/{@link Verdict#OCC_EXIT} for authentic
     *         special payloads; otherwise the drop reason
     */
    public static Verdict decrypt(KeySlots.Pair keys, AeadScratch scratch, MemorySegment buf,
                                  long off, int len, long nowNanos) {
        if (!inBounds(buf, off, len)) {
            return Verdict.MALFORMED;
        }
        return decrypt(keys, scratch, buf, off, len, header(buf, off, len), nowNanos);
    }

    /**
     * {@link #decrypt} for a caller that has already read the packet's first 8 bytes (to find
     * the peer by its peer-id): the header is not read again.
     *
     * @param head the 8 bytes at {@code off}, big-endian ({@link #header}); only looked at
     *             when {@code len} is at least {@link Wire#DATA_V2_MIN_LENGTH}
     */
    public static Verdict decrypt(KeySlots.Pair keys, AeadScratch scratch, MemorySegment buf,
                                  long off, int len, long head, long nowNanos) {
        if (!inBounds(buf, off, len)) {
            return Verdict.MALFORMED;
        }
        Verdict v = checkDataV2((int) (head >>> (56 + Wire.OPCODE_SHIFT)), len);
        if (v != Verdict.OK) {
            return v;
        }
        KeySlot slot = keys.forKeyId(keyIdOf(head));
        if (slot == null) {
            return Verdict.UNKNOWN_KEY;
        }
        int packetId = (int) head;
        if (!authenticate(slot, scratch, buf, off, len, packetId)) {
            return Verdict.AUTH_FAILED;
        }
        // Replay is checked only after authentication (spec §1.6): forged ids cannot move the window.
        if (!slot.replay().accept(packetId & 0xFFFFFFFFL, nowNanos)) {
            return Verdict.REPLAY;
        }
        return Plaintext.classify(buf, off + Wire.CIPHERTEXT_OFFSET, len - Wire.CIPHERTEXT_OFFSET);
    }

    // --- receive, in two halves: around an asynchronous engine ---------------------------------

    /**
     * Before a decryption is submitted to an asynchronous engine: the slot that opens a packet
     * of {@code len} bytes whose first 8 bytes are {@code head}, or null — then
     * {@link #whyNotOpened} says why. No memory is touched.
     */
    public static KeySlot openingSlot(KeySlots.Pair keys, long head, int len) {
        if ((int) (head >>> (56 + Wire.OPCODE_SHIFT)) != Wire.P_DATA_V2 || len < Wire.DATA_V2_MIN_LENGTH) {
            return null;
        }
        return keys.forKeyId(keyIdOf(head));
    }

    /**
     * Before submit: whether the packet-id in {@code head} may still be new for {@code slot}'s
     * window (read-only, {@link ReplayWindow#mayAccept}); false is a replay that need not cost
     * a device request. {@link #afterOpen} decides.
     */
    public static boolean mayBeNew(KeySlot slot, long head, long nowNanos) {
        return slot.replay().mayAccept(head & 0xFFFFFFFFL, nowNanos);
    }

    /** The drop verdict of a packet {@link #openingSlot} found no slot for. */
    public static Verdict whyNotOpened(long head, int len) {
        Verdict v = checkDataV2((int) (head >>> (56 + Wire.OPCODE_SHIFT)), len);
        return v != Verdict.OK ? v : Verdict.UNKNOWN_KEY;
    }

    /**
     * After the engine verified the tag of the packet at {@code off}: the replay window (only
     * now, spec §1.6 — and by the one worker that owns the window), then what the plaintext
     * is. The same verdicts as {@link #decrypt} after its authentication.
     */
    public static Verdict afterOpen(KeySlot slot, MemorySegment buf, long off, int len, int packetId, long nowNanos) {
        if (!slot.replay().accept(packetId & 0xFFFFFFFFL, nowNanos)) {
            return Verdict.REPLAY;
        }
        return Plaintext.classify(buf, off + Wire.CIPHERTEXT_OFFSET, len - Wire.CIPHERTEXT_OFFSET);
    }

    /**
     * Opens in place with software crypto and no replay check, for a packet that keeps its
     * place among others in flight (below the offload's size threshold); {@link #afterOpen}
     * follows when its turn comes.
     */
    public static boolean openNow(KeySlot slot, AeadScratch scratch, MemorySegment buf, long off, int len, int packetId) {
        return authenticate(slot, scratch, buf, off, len, packetId);
    }

    /**
     * The first 8 bytes of a packet of at least 8 bytes, big-endian: opcode/key-id, peer-id,
     * packet-id (the AD). Shorter packets: what there is, left-aligned, zero-filled.
     */
    public static long header(MemorySegment buf, long off, int len) {
        if (len >= 8) {
            return buf.get(Wire.BE_LONG, off);
        }
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (i < len ? buf.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF : 0);
        }
        return h;
    }

    /**
     * Decrypts with a given slot and no replay check — for offline tools that read captures
     * (which may hold duplicates or reordering) and for tests.
     */
    public static Verdict open(KeySlot slot, AeadScratch scratch, MemorySegment buf, long off, int len) {
        if (!inBounds(buf, off, len)) {
            return Verdict.MALFORMED;
        }
        Verdict v = checkDataV2(opcode(buf, off), len);
        if (v != Verdict.OK) {
            return v;
        }
        if (keyId(buf, off) != slot.keyId()) {
            return Verdict.UNKNOWN_KEY;
        }
        if (!authenticate(slot, scratch, buf, off, len, buf.get(Wire.BE_INT, off + Wire.PACKET_ID_OFFSET))) {
            return Verdict.AUTH_FAILED;
        }
        return Plaintext.classify(buf, off + Wire.CIPHERTEXT_OFFSET, len - Wire.CIPHERTEXT_OFFSET);
    }

    private static boolean inBounds(MemorySegment buf, long off, int len) {
        return off >= 0 && len >= 1 && off <= buf.byteSize() - len;
    }

    /** Whether a packet of opcode {@code op} and {@code len} bytes is a P_DATA_V2 long enough to open (OK), or why not. */
    private static Verdict checkDataV2(int op, int len) {
        if (op != Wire.P_DATA_V2) {
            return op == Wire.P_DATA_V1 ? Verdict.DATA_V1 : Verdict.NOT_DATA_V2;
        }
        return len < Wire.DATA_V2_MIN_LENGTH ? Verdict.MALFORMED : Verdict.OK;
    }

    private static boolean authenticate(KeySlot slot, AeadScratch scratch, MemorySegment buf, long off, int len, int packetId) {
        writeNonce(scratch.nonce(), packetId, slot.decryptNonceTail());
        return slot.decryptKey().open(scratch, buf, off, Wire.AD_LENGTH, off + Wire.TAG_OFFSET,
                off + Wire.CIPHERTEXT_OFFSET, len - Wire.CIPHERTEXT_OFFSET);
    }

    // --- transmit ---------------------------------------------------------------------------

    /**
     * Encrypts the plaintext at {@code off + 24} (length {@code plaintextLen}) in place with the
     * primary key and writes the 24-byte header in front of it. The packet to send is then
     * {@code [off, off + 24 + plaintextLen)}.
     *
     * @param peerId the peer-id the receiver expects (its own id, spec §1.2)
     * @return {@link Verdict#OK}, {@link Verdict#NO_KEY}, {@link Verdict#KEY_EXHAUSTED} or
     *         {@link Verdict#MALFORMED} (the buffer cannot hold the packet)
     */
    public static Verdict encrypt(KeySlots.Pair keys, int peerId, AeadScratch scratch,
                                  MemorySegment buf, long off, int plaintextLen) {
        KeySlot slot = keys.primary();
        if (slot == null) {
            return Verdict.NO_KEY;
        }
        if (!fits(buf, off, plaintextLen)) {
            return Verdict.MALFORMED;
        }
        long packetId = slot.nextTxPacketId();
        if (packetId < 0) {
            return Verdict.KEY_EXHAUSTED;
        }
        sealWith(slot, peerId, packetId, scratch, buf, off, plaintextLen);
        return Verdict.OK;
    }

    /**
     * Before an encryption is submitted to an asynchronous engine: takes the next packet-id of
     * {@code slot} (the primary of the pair the caller read) and writes the 24-byte header's
     * first 8 bytes in front of the plaintext at {@code off + 24}. The engine then seals
     * {@code [off + 24, off + 24 + plaintextLen)} and writes the tag.
     *
     * @return {@link Verdict#OK}, {@link Verdict#NO_KEY} (slot null), {@link Verdict#KEY_EXHAUSTED}
     *         or {@link Verdict#MALFORMED}
     */
    public static Verdict writeHeader(KeySlot slot, int peerId, MemorySegment buf, long off, int plaintextLen) {
        if (slot == null) {
            return Verdict.NO_KEY;
        }
        if (!fits(buf, off, plaintextLen)) {
            return Verdict.MALFORMED;
        }
        long packetId = slot.nextTxPacketId();
        if (packetId < 0) {
            return Verdict.KEY_EXHAUSTED;
        }
        buf.set(Wire.BE_LONG, off, (long) Wire.dataV2Word(slot.keyId(), peerId) << 32 | (packetId & 0xFFFFFFFFL));
        return Verdict.OK;
    }

    /** Seals in place with software crypto a packet whose header {@link #writeHeader} wrote. */
    public static void sealNow(KeySlot slot, AeadScratch scratch, MemorySegment buf, long off, int plaintextLen) {
        writeNonce(scratch.nonce(), buf.get(Wire.BE_INT, off + Wire.PACKET_ID_OFFSET), slot.encryptNonceTail());
        slot.encryptKey().seal(scratch, buf, off, Wire.AD_LENGTH, off + Wire.TAG_OFFSET,
                off + Wire.CIPHERTEXT_OFFSET, plaintextLen);
    }

    /**
     * Encrypts with an explicit packet-id, leaving the slot's counter alone — for re-encrypting
     * captured traffic to prove byte-exactness. Never use it to send: nonces would repeat.
     */
    public static Verdict seal(KeySlot slot, int peerId, long packetId, AeadScratch scratch,
                               MemorySegment buf, long off, int plaintextLen) {
        if (!fits(buf, off, plaintextLen)) {
            return Verdict.MALFORMED;
        }
        if (packetId < 0 || packetId > Wire.PACKET_ID_LAST) {
            return Verdict.KEY_EXHAUSTED;
        }
        sealWith(slot, peerId, packetId, scratch, buf, off, plaintextLen);
        return Verdict.OK;
    }

    private static boolean fits(MemorySegment buf, long off, int plaintextLen) {
        return off >= 0 && plaintextLen >= 0
                && off <= buf.byteSize() - Wire.DATA_V2_OVERHEAD - plaintextLen;
    }

    private static void sealWith(KeySlot slot, int peerId, long packetId, AeadScratch scratch,
                                 MemorySegment buf, long off, int plaintextLen) {
        // The 8-byte header (the AD) in one write: opcode/key-id, peer-id, packet-id.
        buf.set(Wire.BE_LONG, off, (long) Wire.dataV2Word(slot.keyId(), peerId) << 32 | (packetId & 0xFFFFFFFFL));
        writeNonce(scratch.nonce(), (int) packetId, slot.encryptNonceTail());
        slot.encryptKey().seal(scratch, buf, off, Wire.AD_LENGTH, off + Wire.TAG_OFFSET,
                off + Wire.CIPHERTEXT_OFFSET, plaintextLen);
    }

    /** nonce = packet-id (big-endian, as on the wire) ‖ nonce tail (spec §1.3). */
    private static void writeNonce(MemorySegment nonce, int packetId, long nonceTail) {
        nonce.set(Wire.BE_INT, 0, packetId);
        nonce.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, nonceTail);
    }
}

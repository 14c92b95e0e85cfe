package dev.ovpndpdk.crypto;

import java.lang.foreign.MemorySegment;

/**
 * One direction's key schedule. Thread-safe for concurrent seal/open (the schedule is
 * read-only after construction); all mutable state is in the caller's {@link AeadScratch}.
 *
 * <p>All offsets are into {@code buf}. Encryption and decryption are in place: the
 * ciphertext occupies exactly the bytes of the plaintext (GCM and ChaCha20-Poly1305 add no
 * padding), and the 16-byte tag is read or written at {@code tagOff}, which for OpenVPN's
 * data channel lies <em>before</em> the ciphertext (spec §1.3). The 12-byte nonce is taken
 * from {@link AeadScratch#nonce()}, which the caller fills before the call.
 *
 * <p>Backends that call native code require {@code buf} to be a native segment (packet
 * memory is off-heap: ARCHITECTURE.md fast-path rule 3); the JDK backend takes any segment.
 */
public interface AeadKey extends AutoCloseable {

    CipherAlg alg();

    /** Encrypts {@code [dataOff, dataOff+dataLen)} in place and writes the tag at {@code tagOff}. */
    void seal(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen,
              long tagOff, long dataOff, int dataLen);

    /**
     * Verifies the tag and, only if it matches, leaves the plaintext in place.
     *
     * @return false when authentication fails; the data bytes are then unspecified, and the
     *         caller must drop the packet. Never throws on bad bytes.
     */
    boolean open(AeadScratch scratch, MemorySegment buf, long aadOff, int aadLen,
                 long tagOff, long dataOff, int dataLen);

    /** Zeroes the key material and frees native memory. Idempotent. Not to be raced with seal/open. */
    @Override
    void close();
}

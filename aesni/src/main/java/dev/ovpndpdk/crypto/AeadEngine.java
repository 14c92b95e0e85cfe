package dev.ovpndpdk.crypto;

import java.lang.foreign.MemorySegment;

/**
 * A software or hardware implementation of the data-channel AEADs, synchronous shape:
 * seal/open one buffer in place and return (ARCHITECTURE.md, "Crypto backends").
 *
 * <p>An engine is shared by all workers. What a worker needs privately (the 12-byte nonce
 * buffer, GCM context, JDK cipher objects) lives in an {@link AeadScratch} it creates once
 * with {@link #newScratch()} and passes to every call; so nothing is allocated and nothing
 * is locked per packet.
 */
public interface AeadEngine {

    /** Short name for logs and {@code --crypto}: {@code aesni} (intel-ipsec-mb) or {@code jdk}. */
    String name();

    /** Human-readable description for the one start-up log line (library version, CPU path). */
    String describe();

    boolean supports(CipherAlg alg);

    /**
     * Builds a key schedule for one direction. The key bytes are copied (into native memory
     * where the engine can) and never logged; {@link AeadKey#close()} zeroes them.
     *
     * @param key exactly {@code alg.keyLength()} bytes
     * @throws IllegalArgumentException on a wrong key length or an unsupported cipher
     */
    AeadKey newKey(CipherAlg alg, MemorySegment key);

    /** Per-thread working memory for {@link AeadKey#seal}/{@link AeadKey#open}; not thread-safe. */
    AeadScratch newScratch();
}

package dev.ovpndpdk.crypto;

import java.lang.foreign.MemorySegment;

/**
 * Per-thread working memory of an {@link AeadEngine}. A worker owns one per engine and never
 * shares it. Only the nonce buffer is visible to callers; each engine keeps its own state
 * behind it (e.g. ipsec-mb's {@code gcm_context_data}).
 */
public interface AeadScratch extends AutoCloseable {

    /** The 12-byte nonce of the next seal/open, native memory, filled by the caller. */
    MemorySegment nonce();

    @Override
    void close();
}

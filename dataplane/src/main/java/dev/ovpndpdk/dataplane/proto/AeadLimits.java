package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.crypto.CipherAlg;

/**
 * How much one key may be used before it must be renegotiated, besides the packet-id limit
 * (spec §1.4 "Sender ratchet", §1.6): OpenVPN 2.7's AEAD usage limit, counted as OpenVPN counts
 * it — per key and direction, plaintext blocks of 16 bytes (rounded up) plus one per AEAD
 * invocation — and its limit on failed verifications.
 *
 * <p>The limit is OpenVPN's, 2<sup>36</sup> − 1 for AES-GCM (from the CFRG AEAD-limits
 * analysis: beyond it an attacker's advantage against confidentiality and integrity is no
 * longer negligible); ChaCha20-Poly1305 has none, only the packet-id rule applies. We ask for
 * the renegotiation ({@code KEY_ROTATE}) at 7/8 of it, so that OpenVPN has the last eighth —
 * about 137 GB — to negotiate and swap, seconds even at line rate. Reaching the limit itself
 * does not stop the key: OpenVPN 2.6, which installs our keys, has no usage limit and would
 * not understand a key that stops; the notification is the contract, as it is for packet-ids
 * at 0xFF000000.
 */
public final class AeadLimits {
    /** OpenVPN's {@code AEAD_LIMIT_BLOCKSIZE}. */
    public static final int BLOCK = 16;
    /** AES-GCM: plaintext blocks plus invocations, per key and direction. */
    public static final long AES_GCM_USAGE_LIMIT = (1L << 36) - 1;
    /** Failed verifications of one key after which OpenVPN renegotiates (2^35). */
    public static final long FAILED_VERIFICATIONS_ROTATE = 1L << 35;

    private AeadLimits() {
    }

    /** The usage limit of {@code alg}, or {@link Long#MAX_VALUE} when it has none. */
    public static long usageLimit(CipherAlg alg) {
        return switch (alg) {
            case AES_128_GCM, AES_192_GCM, AES_256_GCM -> AES_GCM_USAGE_LIMIT;
            default -> Long.MAX_VALUE;
        };
    }

    /** Usage at which KEY_ROTATE is asked for: 7/8 of the limit, or never. */
    public static long rotateAt(CipherAlg alg) {
        long limit = usageLimit(alg);
        return limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - (limit >>> 3);
    }

    /** What one AEAD invocation over {@code plaintextLen} bytes adds to the usage. */
    public static long usageOf(int plaintextLen) {
        return ((plaintextLen + BLOCK - 1) >>> 4) + 1;
    }
}

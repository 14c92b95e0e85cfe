package dev.ovpndpdk.bindings.qatlib;

/**
 * {@code CpaCySymCapabilitiesInfo} (12 B, {@code cpa_cy_sym.h}): bitmaps indexed by the cipher
 * and hash enum values (async-crypto.md §1.2 step 4). Only the ciphers word is read.
 */
public final class CpaCySymCapabilitiesInfo {
    private CpaCySymCapabilitiesInfo() {
    }

    public static final long SIZE = 12;
    public static final long ciphers$OFFSET = 0;

    /** Whether the {@code ciphers} word has the bit of {@code cipher} (a {@code CPA_CY_SYM_CIPHER_*} value below 32). */
    public static boolean hasCipher(int ciphers, int cipher) {
        return (ciphers >>> cipher & 1) != 0;
    }
}

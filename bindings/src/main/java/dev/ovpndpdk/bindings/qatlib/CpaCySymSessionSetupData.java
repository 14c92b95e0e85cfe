package dev.ovpndpdk.bindings.qatlib;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code CpaCySymSessionSetupData} (112 B, {@code cpa_cy_sym.h}), with the nested cipher (24 B at
 * 8) and hash (64 B at 32) setup structs flattened to absolute offsets, and the enum values an
 * AEAD session of OpenVPN's data channel needs (async-crypto.md §1.3). Written from the spec's
 * offsets, not from the header, which is not installed here.
 */
public final class CpaCySymSessionSetupData {
    private CpaCySymSessionSetupData() {
    }

    public static final long SIZE = 112;

    public static final long sessionPriority$OFFSET = 0;
    public static final long symOperation$OFFSET = 4;
    public static final long cipherAlgorithm$OFFSET = 8;
    public static final long cipherKeyLenInBytes$OFFSET = 12;
    public static final long pCipherKey$OFFSET = 16;
    public static final long cipherDirection$OFFSET = 24;
    public static final long hashAlgorithm$OFFSET = 32;
    public static final long hashMode$OFFSET = 36;
    public static final long digestResultLenInBytes$OFFSET = 40;
    /** {@code hashSetupData.authModeSetupData.aadLenInBytes}. */
    public static final long aadLenInBytes$OFFSET = 60;
    public static final long algChainOrder$OFFSET = 96;
    public static final long digestIsAppended$OFFSET = 100;
    public static final long verifyDigest$OFFSET = 104;
    public static final long partialsNotRequired$OFFSET = 108;

    public static final int CPA_CY_PRIORITY_NORMAL = 1;
    public static final int CPA_CY_SYM_OP_ALGORITHM_CHAINING = 3;
    public static final int CPA_CY_SYM_CIPHER_AES_GCM = 7;
    public static final int CPA_CY_SYM_CIPHER_CHACHA = 18;
    public static final int CPA_CY_SYM_CIPHER_DIRECTION_ENCRYPT = 1;
    public static final int CPA_CY_SYM_CIPHER_DIRECTION_DECRYPT = 2;
    public static final int CPA_CY_SYM_HASH_AES_GCM = 9;
    public static final int CPA_CY_SYM_HASH_POLY = 22;
    public static final int CPA_CY_SYM_HASH_MODE_AUTH = 2;
    public static final int CPA_CY_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER = 1;
    public static final int CPA_CY_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH = 2;

    /**
     * Fills {@code s} (at least {@link #SIZE} bytes, zeroed here) for one direction of an AEAD
     * with a 16-byte tag and {@code aadLen} bytes of AAD. The tag's address comes from each op's
     * {@code digestResult} ({@code digestIsAppended} false), because OpenVPN puts the tag before
     * the ciphertext. For GCM the hash key is the cipher key, so no auth key is set.
     *
     * @param chacha  ChaCha20-Poly1305 ({@code CHACHA} + {@code POLY}) rather than AES-GCM
     * @param key     address of the key bytes, read by {@code cpaCySymDpInitSession} only
     */
    public static void aead(MemorySegment s, boolean chacha, long key, int keyLen, boolean encrypt, int aadLen) {
        s.asSlice(0, SIZE).fill((byte) 0);
        s.set(JAVA_INT, sessionPriority$OFFSET, CPA_CY_PRIORITY_NORMAL);
        s.set(JAVA_INT, symOperation$OFFSET, CPA_CY_SYM_OP_ALGORITHM_CHAINING);
        s.set(JAVA_INT, cipherAlgorithm$OFFSET, chacha ? CPA_CY_SYM_CIPHER_CHACHA : CPA_CY_SYM_CIPHER_AES_GCM);
        s.set(JAVA_INT, cipherKeyLenInBytes$OFFSET, keyLen);
        s.set(JAVA_LONG, pCipherKey$OFFSET, key);
        s.set(JAVA_INT, cipherDirection$OFFSET,
                encrypt ? CPA_CY_SYM_CIPHER_DIRECTION_ENCRYPT : CPA_CY_SYM_CIPHER_DIRECTION_DECRYPT);
        s.set(JAVA_INT, hashAlgorithm$OFFSET, chacha ? CPA_CY_SYM_HASH_POLY : CPA_CY_SYM_HASH_AES_GCM);
        s.set(JAVA_INT, hashMode$OFFSET, CPA_CY_SYM_HASH_MODE_AUTH);
        s.set(JAVA_INT, digestResultLenInBytes$OFFSET, 16);
        s.set(JAVA_INT, aadLenInBytes$OFFSET, aadLen);
        // Ignored for authenticated ciphers (§1.3), set as a two-pass chain would want them.
        s.set(JAVA_INT, algChainOrder$OFFSET, encrypt ? CPA_CY_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH
                : CPA_CY_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER);
        s.set(JAVA_INT, digestIsAppended$OFFSET, Cpa.CPA_FALSE);
        s.set(JAVA_INT, verifyDigest$OFFSET, encrypt ? Cpa.CPA_FALSE : Cpa.CPA_TRUE);
        s.set(JAVA_INT, partialsNotRequired$OFFSET, Cpa.CPA_TRUE);
    }
}

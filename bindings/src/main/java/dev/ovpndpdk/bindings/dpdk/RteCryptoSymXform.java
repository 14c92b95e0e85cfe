package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct rte_crypto_sym_xform} as an AEAD transform ({@code rte_crypto_sym.h}): the
 * union is modelled by its {@code aead} member, padded to the union's size.
 */
public final class RteCryptoSymXform {
    private RteCryptoSymXform() {
    }

    // enum rte_crypto_sym_xform_type
    public static final int RTE_CRYPTO_SYM_XFORM_AEAD = 3;
    // enum rte_crypto_aead_operation
    public static final int RTE_CRYPTO_AEAD_OP_ENCRYPT = 0;
    public static final int RTE_CRYPTO_AEAD_OP_DECRYPT = 1;
    // enum rte_crypto_aead_algorithm
    public static final int RTE_CRYPTO_AEAD_AES_GCM = 2;
    public static final int RTE_CRYPTO_AEAD_CHACHA20_POLY1305 = 3;

    public static final StructLayout AEAD = MemoryLayout.structLayout(
            JAVA_INT.withName("op"),
            JAVA_INT.withName("algo"),
            MemoryLayout.structLayout(
                    ADDRESS.withName("data"),
                    JAVA_SHORT.withName("length"),
                    MemoryLayout.paddingLayout(6)).withName("key"),
            MemoryLayout.structLayout(
                    JAVA_SHORT.withName("offset"),
                    JAVA_SHORT.withName("length")).withName("iv"),
            JAVA_SHORT.withName("digest_length"),
            JAVA_SHORT.withName("aad_length")
    ).withName("rte_crypto_aead_xform");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("next"),
            JAVA_INT.withName("type"),
            MemoryLayout.paddingLayout(4),
            AEAD.withName("aead")
    ).withName("rte_crypto_sym_xform");

    public static final long type$OFFSET = StructOffsets.of(LAYOUT, "type");
    public static final long aead_op$OFFSET = StructOffsets.of(LAYOUT, "aead", "op");
    public static final long aead_algo$OFFSET = StructOffsets.of(LAYOUT, "aead", "algo");
    public static final long aead_key_data$OFFSET = StructOffsets.of(LAYOUT, "aead", "key", "data");
    public static final long aead_key_length$OFFSET = StructOffsets.of(LAYOUT, "aead", "key", "length");
    public static final long aead_iv_offset$OFFSET = StructOffsets.of(LAYOUT, "aead", "iv", "offset");
    public static final long aead_iv_length$OFFSET = StructOffsets.of(LAYOUT, "aead", "iv", "length");
    public static final long aead_digest_length$OFFSET = StructOffsets.of(LAYOUT, "aead", "digest_length");
    public static final long aead_aad_length$OFFSET = StructOffsets.of(LAYOUT, "aead", "aad_length");

    /**
     * One AEAD transform, no chain. {@code ivOffset} counts from the start of the
     * {@code rte_crypto_op} (the IV lives in the op's private area); {@code key} must stay
     * valid until the session is made, which copies it.
     */
    public static MemorySegment aead(Arena arena, int op, int algo, MemorySegment key, int ivOffset, int ivLength,
                                     int digestLength, int aadLength) {
        MemorySegment x = arena.allocate(LAYOUT);
        x.set(JAVA_INT, type$OFFSET, RTE_CRYPTO_SYM_XFORM_AEAD);
        x.set(JAVA_INT, aead_op$OFFSET, op);
        x.set(JAVA_INT, aead_algo$OFFSET, algo);
        x.set(ADDRESS, aead_key_data$OFFSET, key);
        x.set(JAVA_SHORT, aead_key_length$OFFSET, (short) key.byteSize());
        x.set(JAVA_SHORT, aead_iv_offset$OFFSET, (short) ivOffset);
        x.set(JAVA_SHORT, aead_iv_length$OFFSET, (short) ivLength);
        x.set(JAVA_SHORT, aead_digest_length$OFFSET, (short) digestLength);
        x.set(JAVA_SHORT, aead_aad_length$OFFSET, (short) aadLength);
        return x;
    }
}

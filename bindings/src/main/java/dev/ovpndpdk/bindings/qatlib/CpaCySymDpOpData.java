package dev.ovpndpdk.bindings.qatlib;

/**
 * {@code CpaCySymDpOpData} (144 B, {@code cpa_cy_sym_dp.h}): one request of the data-plane API,
 * itself in DMA memory, at least 8-byte aligned (async-crypto.md §1.4). Fields named
 * {@code ...phys} hold IOVAs from {@code qaeVirtToPhysNUMA}; {@code p...} fields hold virtual
 * addresses. Written from the spec's offsets, not from the header.
 */
public final class CpaCySymDpOpData {
    private CpaCySymDpOpData() {
    }

    public static final long SIZE = 144;

    public static final long reserved0$OFFSET = 0;
    public static final long cryptoStartSrcOffsetInBytes$OFFSET = 8;
    public static final long messageLenToCipherInBytes$OFFSET = 12;
    /** IOVA of the IV. */
    public static final long iv$OFFSET = 16;
    public static final long reserved1$OFFSET = 24;
    public static final long hashStartSrcOffsetInBytes$OFFSET = 32;
    public static final long messageLenToHashInBytes$OFFSET = 36;
    /** IOVA of the AAD; the device zeroes its pad (§3.2). */
    public static final long additionalAuthData$OFFSET = 40;
    /** IOVA of the tag when {@code digestIsAppended} is false. */
    public static final long digestResult$OFFSET = 48;
    public static final long instanceHandle$OFFSET = 56;
    public static final long sessionCtx$OFFSET = 64;
    public static final long ivLenInBytes$OFFSET = 72;
    public static final long srcBuffer$OFFSET = 80;
    public static final long srcBufferLen$OFFSET = 88;
    public static final long dstBuffer$OFFSET = 96;
    public static final long dstBufferLen$OFFSET = 104;
    /** IOVA of this struct. */
    public static final long thisPhys$OFFSET = 112;
    public static final long pIv$OFFSET = 120;
    public static final long pAdditionalAuthData$OFFSET = 128;
    /** Returned untouched to the completion callback. */
    public static final long pCallbackTag$OFFSET = 136;
}

package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.CpaCySymDpOpData;
import dev.ovpndpdk.bindings.qatlib.Qatlib;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * What the device sees of one queue's requests: per in-flight slot, in one USDM block, the
 * {@code CpaCySymDpOpData}, the IV, the AAD and a bounce buffer holding the packet
 * (async-crypto.md §1.4, §3):
 * <pre>
 *   +0    CpaCySymDpOpData (144 B)
 *   +144  IV: packet-id (4) ‖ nonce tail (8), 16 B
 *   +192  AAD: 8 bytes copied from the header, then zeros to 64
 *   +256  bounce buffer: [op|key-id|peer-id 4][packet-id 4][tag 16][data], maxPacket rounded to 64
 * </pre>
 * The AAD slot is 64 bytes for every cipher because qatlib before 26.02 zeroes a ChaCha AAD up to
 * a 64-byte multiple (QATE-106300), and 16 for GCM; with a slot of its own the zeroing never
 * reaches the tag, which follows the AAD in the packet. Every field that does not change per
 * request (addresses, IOVAs, the instance, the callback tag) is written once here; staging a
 * request writes five op fields, the IV, the AAD and the packet.
 */
final class RequestSlots {
    static final long OP = 0;
    static final long IV = 144;
    static final long AAD = 192;
    static final long AAD_SLOT = 64;
    static final long BOUNCE = 256;

    /** All of the address space, to copy between packets and slots by absolute address. */
    private static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final UsdmBlock block;
    private final long base;
    private final long stride;

    RequestSlots(Qatlib lib, QatlibEngine.Instance instance, int count, int maxPacket) {
        this.stride = BOUNCE + ((maxPacket + 63L) & ~63L);
        this.block = UsdmBlock.allocate(lib, stride * count, instance.node(), 64, count + " request slots");
        this.base = block.address();
        for (int slot = 0; slot < count; slot++) {
            long s = (long) slot * stride;
            long op = base + s + OP;
            long bounce = block.phys(s + BOUNCE);
            NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.cryptoStartSrcOffsetInBytes$OFFSET, QatlibEngine.HEADER);
            NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.hashStartSrcOffsetInBytes$OFFSET, QatlibEngine.HEADER);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.iv$OFFSET, block.phys(s + IV));
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.additionalAuthData$OFFSET, block.phys(s + AAD));
            // The tag sits before the ciphertext: its own address, digestIsAppended false (§3.1).
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.digestResult$OFFSET, bounce + QatlibEngine.AAD);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.instanceHandle$OFFSET, instance.handle());
            NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.ivLenInBytes$OFFSET, 12);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.srcBuffer$OFFSET, bounce);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.dstBuffer$OFFSET, bounce);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.thisPhys$OFFSET, block.phys(s + OP));
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.pIv$OFFSET, base + s + IV);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.pAdditionalAuthData$OFFSET, base + s + AAD);
            NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.pCallbackTag$OFFSET, slot);
        }
    }

    /** Address of slot {@code slot}'s op data, for the enqueue array. */
    long op(int slot) {
        return base + (long) slot * stride + OP;
    }

    /**
     * Copies the packet at {@code packet} (header and {@code length} bytes of data) into the
     * slot's bounce buffer, the AAD into the AAD slot and packet-id ‖ nonce tail into the IV, and
     * points the op at {@code session}.
     */
    void stage(int slot, long packet, int length, long session, long nonceTail) {
        long s = base + (long) slot * stride;
        int bytes = QatlibEngine.HEADER + length;
        MemorySegment.copy(NATIVE, packet, NATIVE, s + BOUNCE, bytes);
        NATIVE.set(JAVA_LONG, s + AAD, NATIVE.get(JAVA_LONG_UNALIGNED, packet));
        // The device zeroes the pad itself; zeroing it here too keeps a stale pad from ever being hashed.
        NATIVE.set(JAVA_LONG, s + AAD + 8, 0L);
        NATIVE.set(JAVA_INT, s + IV, NATIVE.get(JAVA_INT_UNALIGNED, packet + 4));
        NATIVE.set(JAVA_LONG_UNALIGNED, s + IV + 4, nonceTail);
        long op = s + OP;
        NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.messageLenToCipherInBytes$OFFSET, length);
        NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.messageLenToHashInBytes$OFFSET, length);
        NATIVE.set(JAVA_LONG, op + CpaCySymDpOpData.sessionCtx$OFFSET, session);
        NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.srcBufferLen$OFFSET, bytes);
        NATIVE.set(JAVA_INT, op + CpaCySymDpOpData.dstBufferLen$OFFSET, bytes);
    }

    /**
     * Copies a successful result back into the packet: tag and ciphertext after a seal, the
     * plaintext after an open (the header is unchanged either way).
     */
    void copyOut(int slot, long packet, int length, boolean sealed) {
        long bounce = base + (long) slot * stride + BOUNCE;
        long from = sealed ? QatlibEngine.AAD : QatlibEngine.HEADER;
        MemorySegment.copy(NATIVE, bounce + from, NATIVE, packet + from, QatlibEngine.HEADER + length - from);
    }

    void free() {
        block.free();
    }
}

package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.crypto.AeadKey;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * P_DATA_V2 packets as the data plane hands them to an engine: [op|key-id|peer-id 4][packet-id
 * 4][tag 16][data], the header at offset 42 into native memory, as behind Ethernet, IPv4 and
 * UDP (42 bytes); and intel-ipsec-mb's sealing of the same packet as the reference.
 */
final class DataChannelPackets {
    /** Where the header starts in each buffer: after Ethernet (14), IPv4 (20) and UDP (8). */
    static final int H = 42;
    static final int HEADER = 24;

    private DataChannelPackets() {
    }

    /** A buffer with a P_DATA_V2 header (key-id 0, peer-id 7), {@code packetId} and {@code data}. */
    static MemorySegment packet(Arena arena, int packetId, byte[] data) {
        MemorySegment p = arena.allocate(H + HEADER + data.length + 16);
        p.set(JAVA_BYTE, H, (byte) (9 << 3));
        p.set(JAVA_BYTE, H + 3, (byte) 7);
        p.set(JAVA_INT_UNALIGNED, H + 4, Integer.reverseBytes(packetId));
        MemorySegment.copy(data, 0, p, JAVA_BYTE, H + HEADER, data.length);
        return p;
    }

    static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** The header, tag and data of a packet: what an engine may change and the peer reads. */
    static byte[] wire(MemorySegment p, int length) {
        return p.asSlice(H, HEADER + length).toArray(JAVA_BYTE);
    }

    /** intel-ipsec-mb as the reference: seals or opens in place with nonce packet-id ‖ tail. */
    static final class Reference implements AutoCloseable {
        private final AeadKey key;
        private final AeadScratch scratch;
        private final MemorySegment tail;

        Reference(CipherAlg alg, MemorySegment keyBytes, MemorySegment nonceTail) {
            assumeTrue(IpsecMbEngine.isAvailable(), () -> "intel-ipsec-mb missing: " + IpsecMbEngine.unavailableReason());
            IpsecMbEngine engine = IpsecMbEngine.create();
            this.key = engine.newKey(alg, keyBytes);
            this.scratch = engine.newScratch();
            this.tail = nonceTail;
        }

        private void nonce(MemorySegment p) {
            MemorySegment.copy(p, H + 4, scratch.nonce(), 0, 4);
            MemorySegment.copy(tail, 0, scratch.nonce(), 4, 8);
        }

        void seal(MemorySegment p, int length) {
            nonce(p);
            key.seal(scratch, p, H, 8, H + 8, H + HEADER, length);
        }

        boolean open(MemorySegment p, int length) {
            nonce(p);
            return key.open(scratch, p, H, 8, H + 8, H + HEADER, length);
        }

        @Override
        public void close() {
            scratch.close();
            key.close();
        }
    }
}

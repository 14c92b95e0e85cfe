package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * P_DATA_V2 packets for the tests, in an mbuf behind 42 bytes of Ethernet/IPv4/UDP (as the port
 * backend receives them) or in plain native memory (the socket backend's slots):
 * {@code [op|key-id|peer-id 4][packet-id 4][tag 16][data n]} at {@link #header}.
 */
final class DataPackets {
    static final int HEADER = 24;
    /** Ethernet + IPv4 + UDP before the OpenVPN header in a received mbuf (async-crypto.md §3). */
    static final int L2_L4 = 42;

    private DataPackets() {
    }

    /** One packet: where its header is, its data length, its mbuf (0 for plain memory), its bytes. */
    record Packet(long header, int length, long mbuf, MemorySegment bytes) {
        byte[] snapshot() {
            return bytes.toArray(JAVA_BYTE);
        }

        void restore(byte[] b) {
            MemorySegment.copy(b, 0, bytes, JAVA_BYTE, 0, b.length);
        }
    }

    /** A packet with a random header, packet-id, zero tag and random data; in an mbuf of {@code pool} when it is not 0. */
    static Packet random(Random rnd, int length, long pool, Arena arena) {
        int total = HEADER + length;
        MemorySegment bytes;
        long mbuf = 0;
        if (pool != 0) {
            mbuf = RteMbuf.rte_pktmbuf_alloc(pool);
            if (mbuf == 0) {
                throw new IllegalStateException("test mbuf pool empty");
            }
            long start = RteMbuf.rte_pktmbuf_append(mbuf, L2_L4 + total);
            bytes = MemorySegment.ofAddress(start + L2_L4).reinterpret(total);
            assert RteMbufCore.pkt_len(mbuf) == L2_L4 + total;
        } else {
            bytes = arena.allocate(total, 8);
        }
        byte[] b = new byte[total];
        rnd.nextBytes(b);
        b[0] = (byte) (9 << 3); // P_DATA_V2, key-id 0
        java.util.Arrays.fill(b, 8, HEADER, (byte) 0);
        MemorySegment.copy(b, 0, bytes, JAVA_BYTE, 0, total);
        return new Packet(bytes.address(), length, mbuf, bytes);
    }

    static MemorySegment bytes(Arena arena, Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return arena.allocate(n).copyFrom(MemorySegment.ofArray(b));
    }
}

package dev.ovpndpdk.bench;

import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Pre-built packets in off-heap memory for the pipeline benchmark's input side: the same
 * traffic is fed again and again, so nothing is built or allocated while measuring.
 *
 * <p>Entry {@code i} starts at {@link #offset}{@code [i]} (64-byte aligned) and is
 * {@link #length}{@code [i]} bytes long. A plaintext ring holds IPv4 packets as the host
 * writes them into the tunnel; a sealed ring holds the same packets as a peer sends them:
 * P_DATA_V2 with packet-ids 1, 2, … in ring order.
 *
 * <p>Sizes are the inner IP packet's (what the tunnel carries); on the wire each packet is
 * 24 bytes longer. IMIX is the classic simple IMIX ratio, 7:4:1, of 64, 576 and 1424 bytes
 * (average 348 bytes), interleaved in a fixed order of 12.
 */
final class PacketRing {
    /** 7 × 64, 4 × 576, 1 × 1424, spread out rather than in runs. */
    static final int[] IMIX = {64, 576, 64, 64, 576, 64, 1424, 576, 64, 64, 576, 64};
    /** Entries are a multiple of this: whole bursts of 32 and whole IMIX cycles of 12. */
    static final int GRAIN = 96;
    /**
     * At most this many bytes and {@link #MAX_PACKETS} packets: the ring fits the 32 MiB
     * last-level cache of the development machines with room for a second worker's, as
     * packets a NIC has just written (DDIO) would. Big enough that a sealed ring is replayed
     * — and its key re-installed, see {@link PipelineBench} — only every 11 000 to 65 000 packets.
     */
    static final long MAX_BYTES = 16L << 20;
    static final int MAX_PACKETS = 65536;

    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    final MemorySegment memory;
    final long[] offset;
    final int[] length;
    final int count;

    /**
     * Lays out entries of the given sizes (repeating the pattern), each with room for the
     * 24-byte header in front so that it can be sealed in place; {@link #plaintext} and
     * {@link #sealed} write the packets.
     */
    private PacketRing(Arena arena, int[] sizes) {
        long avgStride = 0;
        for (int s : sizes) {
            avgStride += stride(s);
        }
        avgStride /= sizes.length;
        int n = (int) Math.min(MAX_PACKETS, MAX_BYTES / avgStride);
        n -= n % GRAIN;
        this.count = n;
        this.offset = new long[n];
        this.length = new int[n];
        long at = 0;
        for (int i = 0; i < n; i++) {
            int s = sizes[i % sizes.length];
            offset[i] = at;
            length[i] = s;
            at += stride(s);
        }
        this.memory = arena.allocate(at, 64);
    }

    private static long stride(int size) {
        return (Wire.DATA_V2_OVERHEAD + size + 63) & ~63L;
    }

    /** The sizes a benchmark's {@code size} parameter stands for. */
    static int[] sizes(String param) {
        return param.equals("imix") ? IMIX.clone() : new int[] {Integer.parseInt(param)};
    }

    /** Plaintext IPv4 packets; entry i's IP packet at {@code offset[i] + 24}, {@code length[i]} bytes. */
    static PacketRing plaintext(Arena arena, int[] sizes, int src, int dst) {
        PacketRing r = new PacketRing(arena, sizes);
        for (int i = 0; i < r.count; i++) {
            writeIpv4(r.memory, r.offset[i] + Wire.DATA_V2_OVERHEAD, r.length[i], src, dst, i);
        }
        return r;
    }

    /**
     * The same packets sealed as {@code sender} would send them to a receiver that knows it
     * as {@code peerId}: packet-id i + 1 for entry i; {@code length[i]} becomes the wire length.
     */
    static PacketRing sealed(Arena arena, int[] sizes, int src, int dst, KeySlot sender, int peerId, AeadScratch scratch) {
        PacketRing r = plaintext(arena, sizes, src, dst);
        for (int i = 0; i < r.count; i++) {
            if (DataChannel.seal(sender, peerId, i + 1, scratch, r.memory, r.offset[i], r.length[i]) != Verdict.OK) {
                throw new IllegalStateException("could not seal ring entry " + i);
            }
            r.length[i] += Wire.DATA_V2_OVERHEAD;
        }
        return r;
    }

    /**
     * What a memory port's receive does with entries {@code first .. first + n - 1}: copies each,
     * from {@code skip} bytes into the entry, to slot {@code 0 .. n - 1} of {@code b} after its
     * headroom — the NIC's DMA, timed by {@code clock} — then sets the batch's offsets and
     * lengths (the port's own work, untimed).
     */
    void copyInto(PacketBatch b, int first, int n, long skip, CopyClock clock) {
        long t0 = clock.start();
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(memory, offset[first + i] + skip, b.memory, b.slotBase(i) + PacketBatch.HEADROOM, length[first + i]);
        }
        clock.stop(t0);
        for (int i = 0; i < n; i++) {
            b.offset[i] = b.slotBase(i) + PacketBatch.HEADROOM;
            b.length[i] = length[first + i];
        }
    }

    /** A UDP-in-IPv4 packet with a valid-looking header and a payload that is not all zero. */
    private static void writeIpv4(MemorySegment m, long at, int len, int src, int dst, int seq) {
        m.set(BE_INT, at, 0x4500_0000 | len);
        m.set(BE_INT, at + 4, seq << 16);
        m.set(BE_INT, at + 8, 0x4011_0000); // TTL 64, UDP, checksum not computed
        m.set(BE_INT, at + 12, src);
        m.set(BE_INT, at + 16, dst);
        for (long k = 20; k < len; k++) {
            m.set(ValueLayout.JAVA_BYTE, at + k, (byte) (k * 31 + seq));
        }
    }

    static int ipv4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }
}

package dev.ovpndpdk.dataplane.port;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A burst of packets as struct-of-arrays over one block of off-heap packet memory
 * (ARCHITECTURE.md fast-path rules 1–3). A worker owns its batches and reuses them for ever:
 * no object per packet, no allocation per burst.
 *
 * <p>Slot {@code i} is the byte range {@code [i * slotSize, (i+1) * slotSize)} of
 * {@link #memory}. A port that receives writes a packet at {@code slotBase(i) + HEADROOM}
 * and sets {@link #offset}/{@link #length}; the worker then moves {@code offset} back by 24
 * to encrypt in place, or forward by 24 after decrypting, without copying.
 *
 * <p>Wire-side ports also fill or read the transport address of each packet: source on
 * receive, destination on send, in the allocation-free form of
 * {@link dev.ovpndpdk.dataplane.peer.Remote}.
 */
public final class PacketBatch {
    /** As DPDK's l3fwd. */
    public static final int DEFAULT_BURST = 32;
    /** Room in front of a packet: the 24-byte data-channel header plus outer Ethernet/IPv6/UDP (62) and some. */
    public static final int HEADROOM = 128;

    public final int capacity;
    public final int slotSize;
    public final MemorySegment memory;
    /** Start of each packet, as an offset into {@link #memory}. */
    public final long[] offset;
    public final int[] length;
    /** Transport address per packet: IPv6?, address (IPv4 in {@code addrLo}), port. */
    public final boolean[] addrV6;
    public final long[] addrHi;
    public final long[] addrLo;
    public final int[] addrPort;
    /** Number of valid entries. */
    public int count;

    /**
     * @param capacity packets per burst
     * @param slotSize bytes per packet buffer, headroom included (at least HEADROOM + 64)
     */
    public PacketBatch(Arena arena, int capacity, int slotSize) {
        if (capacity < 1 || slotSize < HEADROOM + 64) {
            throw new IllegalArgumentException("bad batch shape " + capacity + " x " + slotSize);
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.memory = arena.allocate((long) capacity * slotSize, 64);
        this.offset = new long[capacity];
        this.length = new int[capacity];
        this.addrV6 = new boolean[capacity];
        this.addrHi = new long[capacity];
        this.addrLo = new long[capacity];
        this.addrPort = new int[capacity];
    }

    public long slotBase(int i) {
        return (long) i * slotSize;
    }

    /** Largest packet a port may put at {@code slotBase(i) + HEADROOM}. */
    public int maxPacket() {
        return slotSize - HEADROOM;
    }

    /** Copies entry {@code from}'s metadata to entry {@code to} (compaction after a verdict). */
    public void moveEntry(int from, int to) {
        if (from != to) {
            offset[to] = offset[from];
            length[to] = length[from];
            addrV6[to] = addrV6[from];
            addrHi[to] = addrHi[from];
            addrLo[to] = addrLo[from];
            addrPort[to] = addrPort[from];
        }
    }
}

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
 *
 * <p>Zero-copy ports (DPDK) use a batch {@linkplain #overNativeMemory over the whole address
 * space} instead: {@link #offset} is then an absolute address inside a buffer the port
 * received (a DPDK mbuf), and {@link #handle} names that buffer, so the port that sends the
 * entry can hand the same buffer on. The worker keeps {@code handle} with its entry when it
 * compacts a burst.
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
    /**
     * On send, the address an entry must leave from, in {@code addrV6}'s family: IPv4 in
     * {@code srcLo}; 0 and 0 for "the port's own" (a peer's {@code local}, OpenVPN's
     * --multihome). Ports whose sockets are bound to one address ignore it.
     */
    public final long[] srcHi;
    public final long[] srcLo;
    /**
     * The port's buffer behind each entry (an {@code rte_mbuf *}), 0 where the packet lives in
     * this batch's own slots. Only zero-copy ports set it.
     */
    public final long[] handle;
    /**
     * Set by a port's {@code send} for an entry it refused for a reason of its own:
     * {@code DropReason.ordinal() + 1}; 0 for an entry it took. The worker counts the reason
     * and clears the mark. Ports that only ever refuse a tail (ring full) leave it alone.
     */
    public final byte[] txDrop;
    /** Number of valid entries. */
    public int count;

    /**
     * @param capacity packets per burst
     * @param slotSize bytes per packet buffer, headroom included (at least HEADROOM + 64)
     */
    public PacketBatch(Arena arena, int capacity, int slotSize) {
        this(capacity, slotSize, slots(arena, capacity, slotSize));
    }

    private PacketBatch(int capacity, int slotSize, MemorySegment memory) {
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.memory = memory;
        this.handle = new long[capacity];
        this.txDrop = new byte[capacity];
        this.offset = new long[capacity];
        this.length = new int[capacity];
        this.addrV6 = new boolean[capacity];
        this.addrHi = new long[capacity];
        this.addrLo = new long[capacity];
        this.addrPort = new int[capacity];
        this.srcHi = new long[capacity];
        this.srcLo = new long[capacity];
    }

    private static void checkShape(int capacity, int size, int minSize) {
        if (capacity < 1 || size < minSize) {
            throw new IllegalArgumentException("bad batch shape " + capacity + " x " + size);
        }
    }

    private static MemorySegment slots(Arena arena, int capacity, int slotSize) {
        checkShape(capacity, slotSize, HEADROOM + 64);
        return arena.allocate((long) capacity * slotSize, 64);
    }

    /**
     * A batch without slots of its own, for zero-copy ports: {@link #memory} spans the whole
     * address space and {@link #offset} holds absolute addresses of packets in the port's
     * buffers. {@link #slotBase} is meaningless for it.
     *
     * @param maxPacket the largest packet the port's buffers hold after their headroom
     */
    public static PacketBatch overNativeMemory(int capacity, int maxPacket) {
        checkShape(capacity, maxPacket, 64);
        return new PacketBatch(capacity, maxPacket + HEADROOM, MemorySegment.NULL.reinterpret(Long.MAX_VALUE));
    }

    /** Whether this batch was made {@link #overNativeMemory}: its entries live in the port's buffers, not in slots. */
    public boolean overNativeMemory() {
        return memory.address() == 0;
    }

    public long slotBase(int i) {
        return (long) i * slotSize;
    }

    /** Largest packet a port may put at {@code slotBase(i) + HEADROOM}. */
    public int maxPacket() {
        return slotSize - HEADROOM;
    }
}

package dev.ovpndpdk.dataplane.port.offload;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct virtio_net_hdr} (linux/virtio_net.h, virtio spec §5.1.6), the 10 bytes in
 * front of every packet read from or written to a TUN queue opened with {@code IFF_VNET_HDR}.
 * Multi-byte fields are in the host's (little-endian) order for a TUN device that was not
 * told otherwise (TUNSETVNETLE).
 *
 * <pre>
 * 0 flags  1 gso_type  2 hdr_len  4 gso_size  6 csum_start  8 csum_offset
 * </pre>
 */
public final class VirtioNetHdr {
    public static final int SIZE = 10;

    /** The checksum at csum_start + csum_offset holds only the pseudo-header sum; finish it from csum_start on. */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksum was verified (receive direction of a virtio device; the kernel trusts it on a TUN write). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    /** UFO: IP fragmentation of one large UDP datagram; never offered (no TUN_F_UFO). */
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** USO: a train of UDP datagrams of gso_size bytes each. */
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private VirtioNetHdr() {
    }

    public static int flags(MemorySegment m, long h) {
        return m.get(ValueLayout.JAVA_BYTE, h) & 0xFF;
    }

    public static int gsoType(MemorySegment m, long h) {
        return m.get(ValueLayout.JAVA_BYTE, h + 1) & 0xFF;
    }

    public static int hdrLen(MemorySegment m, long h) {
        return m.get(LE_SHORT, h + 2) & 0xFFFF;
    }

    public static int gsoSize(MemorySegment m, long h) {
        return m.get(LE_SHORT, h + 4) & 0xFFFF;
    }

    public static int csumStart(MemorySegment m, long h) {
        return m.get(LE_SHORT, h + 6) & 0xFFFF;
    }

    public static int csumOffset(MemorySegment m, long h) {
        return m.get(LE_SHORT, h + 8) & 0xFFFF;
    }

    /** Writes a whole header. */
    public static void set(MemorySegment m, long h, int flags, int gsoType, int hdrLen, int gsoSize,
                           int csumStart, int csumOffset) {
        m.set(ValueLayout.JAVA_BYTE, h, (byte) flags);
        m.set(ValueLayout.JAVA_BYTE, h + 1, (byte) gsoType);
        m.set(LE_SHORT, h + 2, (short) hdrLen);
        m.set(LE_SHORT, h + 4, (short) gsoSize);
        m.set(LE_SHORT, h + 6, (short) csumStart);
        m.set(LE_SHORT, h + 8, (short) csumOffset);
    }

    /** A header that says nothing: a finished packet, no segmentation. */
    public static void setNone(MemorySegment m, long h) {
        set(m, h, 0, GSO_NONE, 0, 0, 0, 0);
    }
}

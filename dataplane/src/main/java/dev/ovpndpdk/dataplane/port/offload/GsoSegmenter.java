package dev.ovpndpdk.dataplane.port.offload;

import static dev.ovpndpdk.dataplane.port.offload.InetChecksum.BE_INT;
import static dev.ovpndpdk.dataplane.port.offload.InetChecksum.BE_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Software TSO/USO: cuts a super-packet read from a TUN queue with offloads on (a
 * virtio_net_hdr, then one TCP segment or UDP datagram train of up to 64 KiB) into the IP
 * packets the host would have sent without the offload, the way the kernel's
 * {@code tcp_gso_segment}/{@code __udp_gso_segment} do:
 *
 * <ul>
 * <li>every segment gets a copy of the IP and TCP/UDP headers and {@code gso_size} bytes of
 *     payload (the last one the rest);</li>
 * <li>IPv4: total length, ID (+1 per segment) and header checksum; IPv6: payload length;</li>
 * <li>TCP: sequence number advanced by the payload before it; FIN and PSH only on the last
 *     segment, CWR only on the first (RFC 3168 §6.1.2: once per window); UDP: the length;</li>
 * <li>the TCP/UDP checksum computed in full (the kernel left only the pseudo-header sum, or
 *     nothing useful: we asked for TUN_F_CSUM).</li>
 * </ul>
 *
 * A packet without segmentation but with {@code F_NEEDS_CSUM} gets its checksum finished in
 * place. No I/O and no allocation: the super-packet stays where it was read and the segments
 * are copied out one by one, so a train longer than a burst continues in the next burst.
 */
public final class GsoSegmenter {
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private MemorySegment src;
    /** The IP packet (after the virtio_net_hdr) and its length. */
    private long ip;
    private int len;
    private boolean v6;
    private boolean tcp;
    /** Whether segments need their headers rewritten (false: copy the one packet as it is). */
    private boolean segmenting;
    private int l4;
    private int hdrLen;
    private int gsoSize;
    private int segments;
    private int next;
    private int ipId;
    private int seq;

    /** Segments left of the current super-packet. */
    public boolean hasNext() {
        return next < segments;
    }

    /** Packets the current super-packet makes (1 for a plain packet). */
    public int segments() {
        return segments;
    }

    /** Drops what is left of the current super-packet. */
    public void skip() {
        next = segments;
    }

    /**
     * Takes the TUN read at {@code off}: {@code readLen} bytes, virtio_net_hdr first. Finishes a
     * partial checksum in place.
     *
     * @return false when the header or packet is inconsistent (the caller drops it as malformed)
     */
    public boolean load(MemorySegment m, long off, int readLen) {
        segments = 0;
        next = 0;
        if (readLen <= VirtioNetHdr.SIZE) {
            return false;
        }
        src = m;
        ip = off + VirtioNetHdr.SIZE;
        len = readLen - VirtioNetHdr.SIZE;
        int flags = VirtioNetHdr.flags(m, off);
        int type = VirtioNetHdr.gsoType(m, off) & ~VirtioNetHdr.GSO_ECN;
        int csumStart = VirtioNetHdr.csumStart(m, off);
        int csumOffset = VirtioNetHdr.csumOffset(m, off);
        int version = (m.get(ValueLayout.JAVA_BYTE, ip) & 0xF0) >>> 4;
        v6 = version == 6;
        if (type == VirtioNetHdr.GSO_NONE) {
            if ((flags & VirtioNetHdr.F_NEEDS_CSUM) != 0) {
                if (csumStart + csumOffset + 2 > len) {
                    return false;
                }
                long field = ip + csumStart + csumOffset;
                long acc = InetChecksum.sum(m, ip + csumStart, len - csumStart, 0);
                int c = InetChecksum.finish(acc);
                // The field held the pseudo-header sum and is part of the range summed. 0 goes
                // out as 0xFFFF, as the kernel's skb_checksum_help does: UDP's "no checksum".
                m.set(BE_SHORT, field, (short) (c == 0 ? 0xFFFF : c));
            }
            segmenting = false;
            segments = 1;
            return true;
        }
        if (type == VirtioNetHdr.GSO_TCPV4 || type == VirtioNetHdr.GSO_TCPV6) {
            tcp = true;
            if (v6 != (type == VirtioNetHdr.GSO_TCPV6)) {
                return false;
            }
        } else if (type == VirtioNetHdr.GSO_UDP_L4) {
            tcp = false;
        } else {
            return false; // UFO or unknown: never asked for
        }
        if (version != 4 && version != 6) {
            return false;
        }
        l4 = csumStart;
        if (v6 ? l4 < 40 : l4 != (m.get(ValueLayout.JAVA_BYTE, ip) & 0x0F) * 4 || l4 < 20) {
            return false;
        }
        if (tcp) {
            if (l4 + 20 > len) {
                return false;
            }
            int doff = (m.get(ValueLayout.JAVA_BYTE, ip + l4 + 12) & 0xF0) >>> 2;
            if (doff < 20) {
                return false;
            }
            hdrLen = l4 + doff;
            seq = m.get(BE_INT, ip + l4 + 4);
        } else {
            hdrLen = l4 + 8;
        }
        gsoSize = VirtioNetHdr.gsoSize(m, off);
        if (hdrLen > len || gsoSize == 0) {
            return false;
        }
        if (!v6) {
            ipId = m.get(BE_SHORT, ip + 4) & 0xFFFF;
        }
        int payload = len - hdrLen;
        segments = Math.max(1, (payload + gsoSize - 1) / gsoSize);
        segmenting = true;
        return true;
    }

    /**
     * Writes the next segment at {@code dst}/{@code dstOff}.
     *
     * @return its length, or -1 (the segment is skipped) when it is longer than {@code room}
     */
    public int next(MemorySegment dst, long dstOff, int room) {
        int i = next++;
        if (!segmenting) {
            if (len > room) {
                return -1;
            }
            MemorySegment.copy(src, ip, dst, dstOff, len);
            return len;
        }
        int from = hdrLen + i * gsoSize;
        int seg = Math.min(gsoSize, len - from);
        int total = hdrLen + seg;
        if (total > room) {
            return -1;
        }
        MemorySegment.copy(src, ip, dst, dstOff, hdrLen);
        MemorySegment.copy(src, ip + from, dst, dstOff + hdrLen, seg);
        boolean last = i == segments - 1;
        if (v6) {
            dst.set(BE_SHORT, dstOff + 4, (short) (total - 40));
        } else {
            dst.set(BE_SHORT, dstOff + 2, (short) total);
            dst.set(BE_SHORT, dstOff + 4, (short) (ipId + i));
            InetChecksum.setIpv4HeaderChecksum(dst, dstOff, l4);
        }
        long th = dstOff + l4;
        int l4Len = total - l4;
        long acc;
        if (tcp) {
            dst.set(BE_INT, th + 4, seq + i * gsoSize);
            int f = dst.get(ValueLayout.JAVA_BYTE, th + 13) & 0xFF;
            if (!last) {
                f &= ~(TCP_FIN | TCP_PSH);
            }
            if (i > 0) {
                f &= ~TCP_CWR;
            }
            dst.set(ValueLayout.JAVA_BYTE, th + 13, (byte) f);
            dst.set(BE_SHORT, th + 16, (short) 0);
            acc = InetChecksum.pseudoHeader(dst, dstOff, v6, InetChecksum.PROTO_TCP, l4Len);
            dst.set(BE_SHORT, th + 16, (short) InetChecksum.finish(InetChecksum.sum(dst, th, l4Len, acc)));
        } else {
            dst.set(BE_SHORT, th + 4, (short) l4Len);
            dst.set(BE_SHORT, th + 6, (short) 0);
            acc = InetChecksum.pseudoHeader(dst, dstOff, v6, InetChecksum.PROTO_UDP, l4Len);
            int c = InetChecksum.finish(InetChecksum.sum(dst, th, l4Len, acc));
            dst.set(BE_SHORT, th + 6, (short) (c == 0 ? 0xFFFF : c)); // RFC 768: 0 means "none"
        }
        return total;
    }
}

package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.offload.InetChecksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Ethernet/IPv4/IPv6/UDP framing the DPDK wire port does itself, since no kernel stack
 * is in the way: recognise the UDP datagrams for our address and port (everything else is
 * the exception path's), build the outer headers in front of an encrypted packet, and the
 * ARP request / neighbour solicitation that finds a next hop we have not heard from.
 *
 * <p>All methods work on absolute addresses in {@code mem} (a segment over the whole address
 * space for mbufs) and allocate nothing.
 */
final class Frames {
    static final int ETH = 14;
    static final int IP4 = 20;
    static final int IP6 = 40;
    static final int UDP = 8;
    static final int ETH_IP4 = 0x0800;
    static final int ETH_IP6 = 0x86DD;
    static final int ETH_ARP = 0x0806;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ICMP6 = 58;
    private static final int ICMP6_NS = 135;
    private static final int ICMP6_NA = 136;
    /** Shortest Ethernet frame without FCS; an ARP request is padded to it. */
    static final int MIN_FRAME = 60;
    static final int ARP_FRAME = ETH + 28;
    static final int NS_FRAME = ETH + IP6 + 32;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Frames() {
    }

    /** Length of the outer headers in front of a payload. */
    static int outerLength(boolean v6) {
        return ETH + (v6 ? IP6 : IP4) + UDP;
    }

    static long mac(MemorySegment m, long at) {
        return ((m.get(BE_SHORT, at) & 0xFFFFL) << 32) | (m.get(BE_INT, at + 2) & 0xFFFFFFFFL);
    }

    /** The source MAC of the frame at {@code f} (at least 14 bytes): one 8-byte read at {@code f + 4}. */
    static long sourceMac(MemorySegment m, long f) {
        return m.get(BE_LONG, f + 4) & 0xFFFF_FFFF_FFFFL;
    }

    static void putMac(MemorySegment m, long at, long mac) {
        m.set(BE_SHORT, at, (short) (mac >>> 32));
        m.set(BE_INT, at + 2, (int) mac);
    }

    /**
     * Looks at one received frame. A UDP datagram for our address and port becomes entry
     * {@code j} of {@code b} (payload address and length, source address and port), and its
     * sender is learned; ARP and neighbour discovery teach us senders too.
     *
     * @return true for our datagram, false for the exception path
     */
    static boolean accept(MemorySegment m, long f, int len, WireAddress me, Neighbours.Memo n, PacketBatch b, int j) {
        if (len < ETH + IP4 + UDP) {
            if (len >= ARP_FRAME && (m.get(BE_SHORT, f + 12) & 0xFFFF) == ETH_ARP) {
                learnArp(m, f, n.table());
            }
            return false;
        }
        int type = m.get(BE_SHORT, f + 12) & 0xFFFF;
        long ip = f + ETH;
        if (type == ETH_IP4) {
            if (me.ipv6()) {
                return false;
            }
            // A few wide reads instead of one per field (len >= 42 here).
            long w0 = m.get(BE_LONG, ip);      // version/IHL, TOS, total length, id, flags/offset
            long w1 = m.get(BE_LONG, ip + 8);  // TTL, protocol, checksum, source
            int vihl = (int) (w0 >>> 56) & 0xFF;
            int ihl = (vihl & 0x0F) * 4;
            int total = (int) (w0 >>> 32) & 0xFFFF;
            int frag = (int) w0 & 0x3FFF; // MF and offset: fragments are the kernel's to reassemble
            if ((vihl >>> 4) != 4 || ihl < IP4 || frag != 0 || ((int) (w1 >>> 48) & 0xFF) != PROTO_UDP
                    || (m.get(BE_INT, ip + 16) & 0xFFFFFFFFL) != me.lo()
                    || total < ihl + UDP || ETH + total > len) {
                return false;
            }
            long udp = ip + ihl;
            long u = m.get(BE_LONG, udp);      // source port, destination port, length, checksum
            int udpLen = (int) (u >>> 16) & 0xFFFF;
            if (((int) (u >>> 32) & 0xFFFF) != me.port() || udpLen < UDP || udpLen > total - ihl) {
                return false;
            }
            long src = w1 & 0xFFFFFFFFL;
            n.learn(false, 0, src, sourceMac(m, f));
            b.offset[j] = udp + UDP;
            b.length[j] = udpLen - UDP;
            b.addrV6[j] = false;
            b.addrHi[j] = 0;
            b.addrLo[j] = src;
            b.addrPort[j] = (int) (u >>> 48) & 0xFFFF;
            return true;
        }
        if (type == ETH_IP6 && len >= ETH + IP6 + UDP && (m.get(BYTE, ip) & 0xF0) == 0x60) {
            int next = m.get(BYTE, ip + 6) & 0xFF;
            int payload = m.get(BE_SHORT, ip + 4) & 0xFFFF;
            if (next == PROTO_ICMP6) {
                learnNd(m, f, len, n.table());
                return false;
            }
            if (!me.ipv6() || next != PROTO_UDP || ETH + IP6 + payload > len
                    || m.get(BE_LONG, ip + 24) != me.hi() || m.get(BE_LONG, ip + 32) != me.lo()) {
                return false;
            }
            long udp = ip + IP6;
            int udpLen = m.get(BE_SHORT, udp + 4) & 0xFFFF;
            if ((m.get(BE_SHORT, udp + 2) & 0xFFFF) != me.port() || udpLen < UDP || udpLen > payload) {
                return false;
            }
            long hi = m.get(BE_LONG, ip + 8);
            long lo = m.get(BE_LONG, ip + 16);
            n.learn(true, hi, lo, mac(m, f + 6));
            b.offset[j] = udp + UDP;
            b.length[j] = udpLen - UDP;
            b.addrV6[j] = true;
            b.addrHi[j] = hi;
            b.addrLo[j] = lo;
            b.addrPort[j] = m.get(BE_SHORT, udp) & 0xFFFF;
            return true;
        }
        if (type == ETH_ARP && len >= ARP_FRAME) {
            learnArp(m, f, n.table());
        }
        return false;
    }

    /** ARP request or reply for IPv4 over Ethernet: the sender's pair is a fact. */
    private static void learnArp(MemorySegment m, long f, Neighbours n) {
        long a = f + ETH;
        if ((m.get(BE_SHORT, a) & 0xFFFF) == 1 && (m.get(BE_SHORT, a + 2) & 0xFFFF) == ETH_IP4
                && m.get(BYTE, a + 4) == 6 && m.get(BYTE, a + 5) == 4) {
            long spa = m.get(BE_INT, a + 14) & 0xFFFFFFFFL;
            if (spa != 0) {
                n.learn(false, 0, spa, mac(m, a + 8));
            }
        }
    }

    /** Neighbour solicitation or advertisement: the (non-unspecified) source is at the frame's source MAC. */
    private static void learnNd(MemorySegment m, long f, int len, Neighbours n) {
        long ip = f + ETH;
        if (len < ETH + IP6 + 4) {
            return;
        }
        int type = m.get(BYTE, ip + IP6) & 0xFF;
        long hi = m.get(BE_LONG, ip + 8);
        long lo = m.get(BE_LONG, ip + 16);
        if ((type == ICMP6_NS || type == ICMP6_NA) && (hi | lo) != 0) {
            n.learn(true, hi, lo, mac(m, f + 6));
        }
    }

    /**
     * Writes Ethernet, IP and UDP headers in the {@link #outerLength} bytes before
     * {@code payload}. IPv4 goes without a UDP checksum (RFC 768 allows it; the AEAD tag
     * protects the payload); IPv6 requires one, computed here.
     *
     * @return the frame's start
     */
    static long writeHeaders(MemorySegment m, long payload, int payloadLen, long dstMac, WireAddress me,
                             boolean v6, long dstHi, long dstLo, int dstPort, short ipId) {
        long f = payload - outerLength(v6);
        putMac(m, f, dstMac);
        putMac(m, f + 6, me.mac());
        int udpLen = UDP + payloadLen;
        long udp;
        if (v6) {
            m.set(BE_SHORT, f + 12, (short) ETH_IP6);
            long ip = f + ETH;
            m.set(BE_INT, ip, 0x6000_0000);
            m.set(BE_SHORT, ip + 4, (short) udpLen);
            m.set(BYTE, ip + 6, (byte) PROTO_UDP);
            m.set(BYTE, ip + 7, (byte) 64);
            m.set(BE_LONG, ip + 8, me.hi());
            m.set(BE_LONG, ip + 16, me.lo());
            m.set(BE_LONG, ip + 24, dstHi);
            m.set(BE_LONG, ip + 32, dstLo);
            udp = ip + IP6;
        } else {
            m.set(BE_SHORT, f + 12, (short) ETH_IP4);
            long ip = f + ETH;
            m.set(BE_INT, ip, 0x4500_0000 | (IP4 + udpLen));
            m.set(BE_INT, ip + 4, (ipId & 0xFFFF) << 16); // no DF: a smaller link on the way may fragment
            m.set(BE_INT, ip + 8, (64 << 24) | (PROTO_UDP << 16)); // TTL, protocol, checksum below
            m.set(BE_INT, ip + 12, (int) me.lo());
            m.set(BE_INT, ip + 16, (int) dstLo);
            // The header checksum from the values just written (RFC 1071), not read back from memory.
            long src = me.lo() & 0xFFFFFFFFL;
            long dst = dstLo & 0xFFFFFFFFL;
            long sum = 0x4500L + IP4 + udpLen + (ipId & 0xFFFF) + ((64 << 8) | PROTO_UDP)
                    + (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF);
            m.set(BE_SHORT, ip + 10, (short) InetChecksum.finish(sum));
            udp = ip + IP4;
        }
        m.set(BE_SHORT, udp, (short) me.port());
        m.set(BE_SHORT, udp + 2, (short) dstPort);
        m.set(BE_SHORT, udp + 4, (short) udpLen);
        m.set(BE_SHORT, udp + 6, (short) 0);
        if (v6) {
            long ip = f + ETH;
            int c = InetChecksum.finish(InetChecksum.sum(m, udp, udpLen,
                    InetChecksum.pseudoHeader(m, ip, true, PROTO_UDP, udpLen)));
            m.set(BE_SHORT, udp + 6, (short) (c == 0 ? 0xFFFF : c));
        }
        return f;
    }

    /** An ARP request for {@code target} from us, padded to the minimum frame. */
    static int writeArpRequest(MemorySegment m, long f, WireAddress me, long target) {
        putMac(m, f, 0xFFFF_FFFF_FFFFL);
        putMac(m, f + 6, me.mac());
        m.set(BE_SHORT, f + 12, (short) ETH_ARP);
        long a = f + ETH;
        m.set(BE_SHORT, a, (short) 1);
        m.set(BE_SHORT, a + 2, (short) ETH_IP4);
        m.set(BYTE, a + 4, (byte) 6);
        m.set(BYTE, a + 5, (byte) 4);
        m.set(BE_SHORT, a + 6, (short) 1);
        putMac(m, a + 8, me.mac());
        m.set(BE_INT, a + 14, (int) me.lo());
        putMac(m, a + 18, 0);
        m.set(BE_INT, a + 24, (int) target);
        for (long p = f + ARP_FRAME; p < f + MIN_FRAME; p++) {
            m.set(BYTE, p, (byte) 0);
        }
        return MIN_FRAME;
    }

    /** A neighbour solicitation for {@code target} to its solicited-node group, with our link-layer address. */
    static int writeNeighbourSolicitation(MemorySegment m, long f, WireAddress me, long targetHi, long targetLo) {
        int low24 = (int) (targetLo & 0xFF_FFFF);
        putMac(m, f, 0x3333_FF00_0000L | low24);
        putMac(m, f + 6, me.mac());
        m.set(BE_SHORT, f + 12, (short) ETH_IP6);
        long ip = f + ETH;
        long groupHi = 0xFF02_0000_0000_0000L;
        long groupLo = 0x0000_0001_FF00_0000L | low24;
        m.set(BE_INT, ip, 0x6000_0000);
        m.set(BE_SHORT, ip + 4, (short) 32);
        m.set(BYTE, ip + 6, (byte) PROTO_ICMP6);
        m.set(BYTE, ip + 7, (byte) 255);
        m.set(BE_LONG, ip + 8, me.hi());
        m.set(BE_LONG, ip + 16, me.lo());
        m.set(BE_LONG, ip + 24, groupHi);
        m.set(BE_LONG, ip + 32, groupLo);
        long icmp = ip + IP6;
        m.set(BE_INT, icmp, ICMP6_NS << 24); // type, code 0, checksum 0 for now
        m.set(BE_INT, icmp + 4, 0);
        m.set(BE_LONG, icmp + 8, targetHi);
        m.set(BE_LONG, icmp + 16, targetLo);
        m.set(BE_SHORT, icmp + 24, (short) 0x0101); // source link-layer address option, 8 bytes
        putMac(m, icmp + 26, me.mac());
        m.set(BE_SHORT, icmp + 2, (short) InetChecksum.finish(InetChecksum.sum(m, icmp, 32,
                InetChecksum.pseudoHeader(m, ip, true, PROTO_ICMP6, 32))));
        return NS_FRAME;
    }
}

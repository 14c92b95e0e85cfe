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
 * <p>All methods work on absolute addresses (inside mbufs) and allocate nothing. They read and
 * write through {@link #ALL}, a constant segment over the whole address space with unaligned
 * layouts: with the segment a compile-time constant, the JIT folds its liveness and alignment
 * checks away, which it cannot for a segment passed in as an argument (profiled: a fifth of
 * the receive path's samples were in those checks).
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

    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
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

    static long mac(long at) {
        return ((ALL.get(BE_SHORT, at) & 0xFFFFL) << 32) | (ALL.get(BE_INT, at + 2) & 0xFFFFFFFFL);
    }

    /** The source MAC of the frame at {@code f} (at least 14 bytes): one 8-byte read at {@code f + 4}. */
    static long sourceMac(long f) {
        return ALL.get(BE_LONG, f + 4) & 0xFFFF_FFFF_FFFFL;
    }

    static void putMac(long at, long mac) {
        ALL.set(BE_SHORT, at, (short) (mac >>> 32));
        ALL.set(BE_INT, at + 2, (int) mac);
    }

    /**
     * Looks at one received frame. A UDP datagram for our address and port becomes entry
     * {@code j} of {@code b} (payload address and length, source address and port), and its
     * sender is learned; ARP and neighbour discovery teach us senders too.
     *
     * @return true for our datagram, false for the exception path
     */
    static boolean accept(long f, int len, WireAddress me, Neighbours.Memo n, PacketBatch b, int j) {
        if (len >= ETH + IP4 + UDP && !me.ipv6()) {
            long a = ALL.get(BE_LONG, f + 12); // EtherType, version/IHL, TOS, total length, id
            if ((a >>> 40) == ((long) ETH_IP4 << 8 | 0x45)) {
                return acceptIpv4(f, len, a, me, n, b, j);
            }
        }
        return acceptOther(f, len, me, n, b, j);
    }

    /**
     * The fast path of {@link #accept}: IPv4 without options, which is every datagram of a
     * tunnel over IPv4. Small enough for the JIT to inline into the receive loop; the whole of
     * {@code accept} is not, and a call per packet cost 33 → 28 ns per packet for the two ports
     * together at 64 bytes ({@code DpdkPipelineBench.ports}). Four 8-byte reads cover the IP
     * and UDP headers.
     *
     * @param a the 8 bytes at {@code f + 12}: EtherType, version/IHL (0x45), TOS, total length, id
     */
    private static boolean acceptIpv4(long f, int len, long a, WireAddress me, Neighbours.Memo n, PacketBatch b, int j) {
        int total = (int) (a >>> 16) & 0xFFFF;
        long c = ALL.get(BE_LONG, f + 20); // flags/fragment offset, TTL, protocol, checksum, source (high half)
        long s = ALL.get(BE_LONG, f + 26); // source, destination
        long u = ALL.get(BE_LONG, f + 34); // UDP: source port, destination port, length, checksum
        int udpLen = (int) (u >>> 16) & 0xFFFF;
        if (((int) (c >>> 48) & 0x3FFF) != 0 // MF or an offset: fragments are the kernel's to reassemble
                || ((int) (c >>> 32) & 0xFF) != PROTO_UDP
                || (s & 0xFFFFFFFFL) != me.lo()
                || total < IP4 + UDP || ETH + total > len
                || ((int) (u >>> 32) & 0xFFFF) != me.port() || udpLen < UDP || udpLen > total - IP4) {
            return false;
        }
        return ours(f, n, b, j, f + ETH + IP4 + UDP, udpLen - UDP, false, 0, s >>> 32, (int) (u >>> 48));
    }

    /** A datagram for us at {@code f}: its sender is learned, and its payload becomes entry {@code j}. */
    private static boolean ours(long f, Neighbours.Memo n, PacketBatch b, int j, long payload, int len,
                                boolean v6, long hi, long lo, int port) {
        n.learn(v6, hi, lo, sourceMac(f));
        b.offset[j] = payload;
        b.length[j] = len;
        b.addrV6[j] = v6;
        b.addrHi[j] = hi;
        b.addrLo[j] = lo;
        b.addrPort[j] = port;
        return true;
    }

    /** {@link #accept} for everything but IPv4 without options: IPv4 with options, IPv6, ARP, neighbour discovery. */
    private static boolean acceptOther(long f, int len, WireAddress me, Neighbours.Memo n, PacketBatch b, int j) {
        if (len < ETH + IP4 + UDP) {
            if (len >= ARP_FRAME && (ALL.get(BE_SHORT, f + 12) & 0xFFFF) == ETH_ARP) {
                learnArp(f, n);
            }
            return false;
        }
        int type = ALL.get(BE_SHORT, f + 12) & 0xFFFF;
        long ip = f + ETH;
        if (type == ETH_IP4) {
            if (me.ipv6()) {
                return false;
            }
            // A few wide reads instead of one per field (len >= 42 here).
            long w0 = ALL.get(BE_LONG, ip);      // version/IHL, TOS, total length, id, flags/offset
            long w1 = ALL.get(BE_LONG, ip + 8);  // TTL, protocol, checksum, source
            int vihl = (int) (w0 >>> 56) & 0xFF;
            int ihl = (vihl & 0x0F) * 4;
            int total = (int) (w0 >>> 32) & 0xFFFF;
            int frag = (int) w0 & 0x3FFF; // MF and offset: fragments are the kernel's to reassemble
            if ((vihl >>> 4) != 4 || ihl < IP4 || frag != 0 || ((int) (w1 >>> 48) & 0xFF) != PROTO_UDP
                    || (ALL.get(BE_INT, ip + 16) & 0xFFFFFFFFL) != me.lo()
                    || total < ihl + UDP || ETH + total > len) {
                return false;
            }
            long udp = ip + ihl;
            long u = ALL.get(BE_LONG, udp);      // source port, destination port, length, checksum
            int udpLen = (int) (u >>> 16) & 0xFFFF;
            if (((int) (u >>> 32) & 0xFFFF) != me.port() || udpLen < UDP || udpLen > total - ihl) {
                return false;
            }
            return ours(f, n, b, j, udp + UDP, udpLen - UDP, false, 0, w1 & 0xFFFFFFFFL, (int) (u >>> 48) & 0xFFFF);
        }
        if (type == ETH_IP6 && len >= ETH + IP6 + UDP && (ALL.get(BYTE, ip) & 0xF0) == 0x60) {
            int next = ALL.get(BYTE, ip + 6) & 0xFF;
            int payload = ALL.get(BE_SHORT, ip + 4) & 0xFFFF;
            if (next == PROTO_ICMP6) {
                learnNd(f, len, n);
                return false;
            }
            if (!me.ipv6() || next != PROTO_UDP || ETH + IP6 + payload > len
                    || ALL.get(BE_LONG, ip + 24) != me.hi() || ALL.get(BE_LONG, ip + 32) != me.lo()) {
                return false;
            }
            long udp = ip + IP6;
            int udpLen = ALL.get(BE_SHORT, udp + 4) & 0xFFFF;
            if ((ALL.get(BE_SHORT, udp + 2) & 0xFFFF) != me.port() || udpLen < UDP || udpLen > payload) {
                return false;
            }
            return ours(f, n, b, j, udp + UDP, udpLen - UDP, true, ALL.get(BE_LONG, ip + 8), ALL.get(BE_LONG, ip + 16),
                    ALL.get(BE_SHORT, udp) & 0xFFFF);
        }
        if (type == ETH_ARP && len >= ARP_FRAME) {
            learnArp(f, n);
        }
        return false;
    }

    /** ARP request or reply for IPv4 over Ethernet: the sender's pair is a fact. */
    private static void learnArp(long f, Neighbours.Memo n) {
        long a = f + ETH;
        if ((ALL.get(BE_SHORT, a) & 0xFFFF) == 1 && (ALL.get(BE_SHORT, a + 2) & 0xFFFF) == ETH_IP4
                && ALL.get(BYTE, a + 4) == 6 && ALL.get(BYTE, a + 5) == 4) {
            long spa = ALL.get(BE_INT, a + 14) & 0xFFFFFFFFL;
            if (spa != 0) {
                n.learn(false, 0, spa, mac(a + 8));
            }
        }
    }

    /** Neighbour solicitation or advertisement: the (non-unspecified) source is at the frame's source MAC. */
    private static void learnNd(long f, int len, Neighbours.Memo n) {
        long ip = f + ETH;
        if (len < ETH + IP6 + 4) {
            return;
        }
        int type = ALL.get(BYTE, ip + IP6) & 0xFF;
        long hi = ALL.get(BE_LONG, ip + 8);
        long lo = ALL.get(BE_LONG, ip + 16);
        if ((type == ICMP6_NS || type == ICMP6_NA) && (hi | lo) != 0) {
            n.learn(true, hi, lo, mac(f + 6));
        }
    }

    /**
     * Writes Ethernet, IP and UDP headers in the {@link #outerLength} bytes before
     * {@code payload}. IPv4 goes without a UDP checksum (RFC 768 allows it; the AEAD tag
     * protects the payload); IPv6 requires one, computed here — or, with
     * {@code udpChecksumByPort}, left to the port ({@code RTE_MBUF_F_TX_UDP_CKSUM}): the field
     * gets the pseudo-header sum, folded and not inverted, as DPDK's mbuf API asks
     * ({@code rte_ipv6_phdr_cksum}), and the payload is not read at all.
     *
     * @return the frame's start
     */
    static long writeHeaders(long payload, int payloadLen, long dstMac, WireAddress me,
                             boolean v6, long dstHi, long dstLo, int dstPort, short ipId, boolean udpChecksumByPort) {
        long f = payload - outerLength(v6);
        putMac(f, dstMac);
        putMac(f + 6, me.mac());
        int udpLen = UDP + payloadLen;
        long udp;
        if (v6) {
            ALL.set(BE_SHORT, f + 12, (short) ETH_IP6);
            long ip = f + ETH;
            ALL.set(BE_INT, ip, 0x6000_0000);
            ALL.set(BE_SHORT, ip + 4, (short) udpLen);
            ALL.set(BYTE, ip + 6, (byte) PROTO_UDP);
            ALL.set(BYTE, ip + 7, (byte) 64);
            ALL.set(BE_LONG, ip + 8, me.hi());
            ALL.set(BE_LONG, ip + 16, me.lo());
            ALL.set(BE_LONG, ip + 24, dstHi);
            ALL.set(BE_LONG, ip + 32, dstLo);
            udp = ip + IP6;
        } else {
            ALL.set(BE_SHORT, f + 12, (short) ETH_IP4);
            long ip = f + ETH;
            ALL.set(BE_INT, ip, 0x4500_0000 | (IP4 + udpLen));
            ALL.set(BE_INT, ip + 4, (ipId & 0xFFFF) << 16); // no DF: a smaller link on the way may fragment
            ALL.set(BE_INT, ip + 8, (64 << 24) | (PROTO_UDP << 16)); // TTL, protocol, checksum below
            ALL.set(BE_INT, ip + 12, (int) me.lo());
            ALL.set(BE_INT, ip + 16, (int) dstLo);
            // The header checksum from the values just written (RFC 1071), not read back from memory.
            long src = me.lo() & 0xFFFFFFFFL;
            long dst = dstLo & 0xFFFFFFFFL;
            long sum = 0x4500L + IP4 + udpLen + (ipId & 0xFFFF) + ((64 << 8) | PROTO_UDP)
                    + (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF);
            ALL.set(BE_SHORT, ip + 10, (short) InetChecksum.finish(sum));
            udp = ip + IP4;
        }
        ALL.set(BE_SHORT, udp, (short) me.port());
        ALL.set(BE_SHORT, udp + 2, (short) dstPort);
        ALL.set(BE_SHORT, udp + 4, (short) udpLen);
        ALL.set(BE_SHORT, udp + 6, (short) 0);
        if (v6 && udpChecksumByPort) {
            long ip = f + ETH;
            ALL.set(BE_SHORT, udp + 6, (short) InetChecksum.fold(InetChecksum.pseudoHeader(ALL, ip, true, PROTO_UDP, udpLen)));
        } else if (v6) {
            long ip = f + ETH;
            int c = InetChecksum.finish(InetChecksum.sum(ALL, udp, udpLen,
                    InetChecksum.pseudoHeader(ALL, ip, true, PROTO_UDP, udpLen)));
            ALL.set(BE_SHORT, udp + 6, (short) (c == 0 ? 0xFFFF : c));
        }
        return f;
    }

    /** An ARP request for {@code target} from us, padded to the minimum frame. */
    static int writeArpRequest(long f, WireAddress me, long target) {
        putMac(f, 0xFFFF_FFFF_FFFFL);
        putMac(f + 6, me.mac());
        ALL.set(BE_SHORT, f + 12, (short) ETH_ARP);
        long a = f + ETH;
        ALL.set(BE_SHORT, a, (short) 1);
        ALL.set(BE_SHORT, a + 2, (short) ETH_IP4);
        ALL.set(BYTE, a + 4, (byte) 6);
        ALL.set(BYTE, a + 5, (byte) 4);
        ALL.set(BE_SHORT, a + 6, (short) 1);
        putMac(a + 8, me.mac());
        ALL.set(BE_INT, a + 14, (int) me.lo());
        putMac(a + 18, 0);
        ALL.set(BE_INT, a + 24, (int) target);
        for (long p = f + ARP_FRAME; p < f + MIN_FRAME; p++) {
            ALL.set(BYTE, p, (byte) 0);
        }
        return MIN_FRAME;
    }

    /** A neighbour solicitation for {@code target} to its solicited-node group, with our link-layer address. */
    static int writeNeighbourSolicitation(long f, WireAddress me, long targetHi, long targetLo) {
        int low24 = (int) (targetLo & 0xFF_FFFF);
        putMac(f, 0x3333_FF00_0000L | low24);
        putMac(f + 6, me.mac());
        ALL.set(BE_SHORT, f + 12, (short) ETH_IP6);
        long ip = f + ETH;
        long groupHi = 0xFF02_0000_0000_0000L;
        long groupLo = 0x0000_0001_FF00_0000L | low24;
        ALL.set(BE_INT, ip, 0x6000_0000);
        ALL.set(BE_SHORT, ip + 4, (short) 32);
        ALL.set(BYTE, ip + 6, (byte) PROTO_ICMP6);
        ALL.set(BYTE, ip + 7, (byte) 255);
        ALL.set(BE_LONG, ip + 8, me.hi());
        ALL.set(BE_LONG, ip + 16, me.lo());
        ALL.set(BE_LONG, ip + 24, groupHi);
        ALL.set(BE_LONG, ip + 32, groupLo);
        long icmp = ip + IP6;
        ALL.set(BE_INT, icmp, ICMP6_NS << 24); // type, code 0, checksum 0 for now
        ALL.set(BE_INT, icmp + 4, 0);
        ALL.set(BE_LONG, icmp + 8, targetHi);
        ALL.set(BE_LONG, icmp + 16, targetLo);
        ALL.set(BE_SHORT, icmp + 24, (short) 0x0101); // source link-layer address option, 8 bytes
        putMac(icmp + 26, me.mac());
        ALL.set(BE_SHORT, icmp + 2, (short) InetChecksum.finish(InetChecksum.sum(ALL, icmp, 32,
                InetChecksum.pseudoHeader(ALL, ip, true, PROTO_ICMP6, 32))));
        return NS_FRAME;
    }
}

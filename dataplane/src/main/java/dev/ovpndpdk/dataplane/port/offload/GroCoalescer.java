package dev.ovpndpdk.dataplane.port.offload;

import static dev.ovpndpdk.dataplane.port.offload.InetChecksum.BE_INT;
import static dev.ovpndpdk.dataplane.port.offload.InetChecksum.BE_LONG;
import static dev.ovpndpdk.dataplane.port.offload.InetChecksum.BE_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Software GRO for TUN writes: groups the TCP segments of a burst that Linux's
 * {@code tcp_gro_receive} would merge, so that each group goes to the host as one
 * super-packet (a virtio_net_hdr with GSO_TCPV4/6 and a partial checksum, then the first
 * segment's headers and every segment's payload, gathered by one {@code writev}). The host
 * stack then handles one 64 KiB packet instead of 40 small ones.
 *
 * <p>Segments join a group under Linux's rules: same flow; IPv4 without options or
 * fragmentation, same TOS/TTL/DF; IPv6 without extension headers, same traffic class, flow
 * label and hop limit; TCP with ACK (and PSH) only, the same ACK number, window and options
 * (timestamps included), in sequence, each as long as the first (the last may be shorter and
 * ends the group, as does PSH), 64 KiB at most. Each segment's TCP checksum is verified
 * before it joins, because the written super-packet carries a checksum the kernel trusts.
 *
 * Without DF, IPv4 IDs must also follow on (the first's plus the segments before), as Linux
 * checks them, because the kernel's segmentation gives the segments the following IDs again.
 *
 * <p>Order within a flow is kept: groups are written in the order of their first segment,
 * and a segment that cannot join its flow's latest group closes it, so nothing later of that
 * flow can overtake it. Everything else (non-TCP, other flags, IPv6 extension headers,
 * fragments) stays a group of one and is written unchanged. Of those, a TCP fragment or an
 * IPv6 packet with extension headers may be any flow's between its two addresses without
 * showing which: it closes every open group between them. No I/O, no allocation.
 */
public final class GroCoalescer {
    /** Largest IP packet a group may become (IPv4 total length; IPv6 payload length alike). */
    public static final int MAX_LENGTH = 65535;

    private static final int NOT_TCP = 0;
    private static final int TCP_OTHER = 1;
    private static final int TCP_CANDIDATE = 2;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;
    private static final byte CSUM_UNKNOWN = 0;
    private static final byte CSUM_GOOD = 1;
    private static final byte CSUM_BAD = 2;

    // per entry
    private final int[] kind;
    private final int[] l4;
    private final boolean[] ipv6;
    private final int[] hdrLen;
    private final int[] nextMember;
    private final byte[] csum;
    /** Not classified, yet maybe of a TCP flow: an IPv4 TCP fragment, IPv6 with extension headers. */
    private final boolean[] opaque;
    // per group
    private final int[] first;
    private final int[] last;
    private final int[] segments;
    private final int[] bytes;
    private final boolean[] open;
    private int groups;

    private MemorySegment m;
    private long[] off;
    private int[] len;

    public GroCoalescer(int capacity) {
        kind = new int[capacity];
        l4 = new int[capacity];
        ipv6 = new boolean[capacity];
        hdrLen = new int[capacity];
        nextMember = new int[capacity];
        csum = new byte[capacity];
        opaque = new boolean[capacity];
        first = new int[capacity];
        last = new int[capacity];
        segments = new int[capacity];
        bytes = new int[capacity];
        open = new boolean[capacity];
    }

    /**
     * Groups the IP packets {@code [0, count)} at {@code offset[i]}, {@code length[i]} of
     * {@code mem}.
     *
     * @return the number of groups
     */
    public int plan(MemorySegment mem, long[] offset, int[] length, int count) {
        this.m = mem;
        this.off = offset;
        this.len = length;
        groups = 0;
        for (int i = 0; i < count; i++) {
            classify(i);
            nextMember[i] = -1;
            csum[i] = CSUM_UNKNOWN;
            if (kind[i] != NOT_TCP && join(i)) {
                continue;
            }
            if (opaque[i]) {
                closeGroupsBetweenAddressesOf(i);
            }
            int g = groups++;
            first[g] = i;
            last[g] = i;
            segments[g] = 1;
            bytes[g] = length[i];
            open[g] = kind[i] == TCP_CANDIDATE && (tcpFlags(i) & TCP_PSH) == 0;
        }
        return groups;
    }

    /** The first entry of group {@code g}; {@link #nextMember} walks the others. */
    public int first(int g) {
        return first[g];
    }

    /** The entry after {@code entry} in its group, or -1. */
    public int nextMember(int entry) {
        return nextMember[entry];
    }

    public int segments(int g) {
        return segments[g];
    }

    /** Bytes of IP and TCP headers in front of {@code entry}'s payload (grouped entries only). */
    public int headerLength(int entry) {
        return hdrLen[entry];
    }

    /**
     * Writes what goes in front of the payloads of group {@code g} (of more than one
     * segment): the virtio_net_hdr and the first segment's headers, with the lengths of the
     * whole group, PSH if the last segment had it, and the pseudo-header sum in the TCP
     * checksum (F_NEEDS_CSUM: the kernel trusts the rest as verified).
     *
     * @return the bytes written at {@code out}/{@code o}
     */
    public int writeHeader(int g, MemorySegment out, long o) {
        int h = first[g];
        int hl = hdrLen[h];
        int l4o = l4[h];
        boolean v6 = ipv6[h];
        int total = bytes[g];
        VirtioNetHdr.set(out, o, VirtioNetHdr.F_NEEDS_CSUM, v6 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4,
                hl, len[h] - hl, l4o, 16);
        long ip = o + VirtioNetHdr.SIZE;
        MemorySegment.copy(m, off[h], out, ip, hl);
        if (v6) {
            out.set(BE_SHORT, ip + 4, (short) (total - 40));
        } else {
            out.set(BE_SHORT, ip + 2, (short) total);
            InetChecksum.setIpv4HeaderChecksum(out, ip, l4o);
        }
        long th = ip + l4o;
        int flags = out.get(ValueLayout.JAVA_BYTE, th + 13) | (tcpFlags(last[g]) & TCP_PSH);
        out.set(ValueLayout.JAVA_BYTE, th + 13, (byte) flags);
        long pseudo = InetChecksum.pseudoHeader(out, ip, v6, InetChecksum.PROTO_TCP, total - l4o);
        out.set(BE_SHORT, th + 16, (short) InetChecksum.fold(pseudo));
        return VirtioNetHdr.SIZE + hl;
    }

    // --- classification -----------------------------------------------------------------------

    private void classify(int i) {
        kind[i] = NOT_TCP;
        opaque[i] = false;
        long p = off[i];
        int n = len[i];
        if (n < 20) {
            return;
        }
        int b0 = m.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
        int ihl;
        boolean plain;
        if (b0 >>> 4 == 4) {
            ihl = (b0 & 0x0F) * 4;
            if ((m.get(ValueLayout.JAVA_BYTE, p + 9) & 0xFF) != InetChecksum.PROTO_TCP) {
                return;
            }
            if ((m.get(BE_SHORT, p + 6) & 0x3FFF) != 0) {
                opaque[i] = true; // a fragment: no ports (or not all of them) to tell the flow by
                ipv6[i] = false;
                return;
            }
            if (ihl < 20 || ihl + 20 > n) {
                return;
            }
            // The reserved flag must be clear, as Linux's inet_gro_receive wants every bit of
            // frag_off but DF clear: a group takes its first segment's flags for all.
            plain = ihl == 20 && (m.get(BE_SHORT, p + 2) & 0xFFFF) == n && (m.get(ValueLayout.JAVA_BYTE, p + 6) & 0x80) == 0;
        } else if (b0 >>> 4 == 6 && n >= 40) {
            ihl = 40;
            int next = m.get(ValueLayout.JAVA_BYTE, p + 6) & 0xFF;
            if (next != InetChecksum.PROTO_TCP) {
                // Extension headers are not worth walking here, but TCP may follow them.
                opaque[i] = isIpv6ExtensionHeader(next);
                ipv6[i] = true;
                return;
            }
            if (n < 60) {
                return;
            }
            plain = (m.get(BE_SHORT, p + 4) & 0xFFFF) + 40 == n;
        } else {
            return;
        }
        l4[i] = ihl;
        ipv6[i] = b0 >>> 4 == 6;
        kind[i] = TCP_OTHER;
        int doff = (m.get(ValueLayout.JAVA_BYTE, p + ihl + 12) & 0xF0) >>> 2;
        if (!plain || doff < 20 || ihl + doff >= n) {
            return; // no payload, or lengths that do not add up
        }
        hdrLen[i] = ihl + doff;
        if ((tcpFlags(i) & ~TCP_PSH) == TCP_ACK) {
            kind[i] = TCP_CANDIDATE;
        }
    }

    /**
     * RFC 8200 section 4 and IANA's list: what may stand between an IPv6 header and TCP in the
     * clear (ESP, 50, hides what follows: not a flow of ours to keep in order).
     */
    private static boolean isIpv6ExtensionHeader(int next) {
        return switch (next) {
            case 0, 43, 44, 51, 60, 135, 139, 140, 253, 254 -> true;
            default -> false;
        };
    }

    private int tcpFlags(int i) {
        return m.get(ValueLayout.JAVA_BYTE, off[i] + l4[i] + 13) & 0xFF;
    }

    // --- joining ------------------------------------------------------------------------------

    /** Appends entry {@code i} to its flow's latest group if it may; closes that group if not. */
    private boolean join(int i) {
        for (int g = groups - 1; g >= 0; g--) {
            int h = first[g];
            if (kind[h] == NOT_TCP || !sameFlow(h, i)) {
                continue;
            }
            if (open[g] && kind[i] == TCP_CANDIDATE && fits(g, i)) {
                nextMember[last[g]] = i;
                last[g] = i;
                segments[g]++;
                int payload = len[i] - hdrLen[i];
                bytes[g] += payload;
                if (payload < len[h] - hdrLen[h] || (tcpFlags(i) & TCP_PSH) != 0) {
                    open[g] = false;
                }
                return true;
            }
            open[g] = false;
            return false;
        }
        return false;
    }

    /** Packet {@code i} may belong to any TCP flow between its addresses: their open groups end here. */
    private void closeGroupsBetweenAddressesOf(int i) {
        for (int g = 0; g < groups; g++) {
            int h = first[g];
            if (open[g] && ipv6[h] == ipv6[i] && sameAddresses(h, i)) {
                open[g] = false;
            }
        }
    }

    private boolean sameAddresses(int a, int b) {
        long pa = off[a];
        long pb = off[b];
        if (ipv6[a]) {
            return m.get(BE_LONG, pa + 8) == m.get(BE_LONG, pb + 8) && m.get(BE_LONG, pa + 16) == m.get(BE_LONG, pb + 16)
                    && m.get(BE_LONG, pa + 24) == m.get(BE_LONG, pb + 24) && m.get(BE_LONG, pa + 32) == m.get(BE_LONG, pb + 32);
        }
        return m.get(BE_LONG, pa + 12) == m.get(BE_LONG, pb + 12);
    }

    private boolean sameFlow(int a, int b) {
        if (ipv6[a] != ipv6[b] || l4[a] != l4[b] || !sameAddresses(a, b)) {
            return false;
        }
        return m.get(BE_INT, off[a] + l4[a]) == m.get(BE_INT, off[b] + l4[b]);
    }

    /** Whether candidate {@code i} may follow group {@code g}'s last segment (same flow). */
    private boolean fits(int g, int i) {
        int h = first[g];
        int t = last[g];
        long ph = off[h];
        long pi = off[i];
        int hl = hdrLen[h];
        int gso = len[h] - hl;
        int payload = len[i] - hdrLen[i];
        if (hdrLen[i] != hl || payload > gso || bytes[g] + payload > MAX_LENGTH) {
            return false;
        }
        if (ipv6[h]) {
            if (m.get(BE_INT, ph) != m.get(BE_INT, pi) || m.get(ValueLayout.JAVA_BYTE, ph + 7) != m.get(ValueLayout.JAVA_BYTE, pi + 7)) {
                return false; // traffic class, flow label, hop limit
            }
        } else if (m.get(ValueLayout.JAVA_BYTE, ph + 1) != m.get(ValueLayout.JAVA_BYTE, pi + 1)
                || m.get(ValueLayout.JAVA_BYTE, ph + 8) != m.get(ValueLayout.JAVA_BYTE, pi + 8)
                || ((m.get(ValueLayout.JAVA_BYTE, ph + 6) ^ m.get(ValueLayout.JAVA_BYTE, pi + 6)) & 0x40) != 0) {
            return false; // TOS, TTL, DF
        } else if ((m.get(ValueLayout.JAVA_BYTE, ph + 6) & 0x40) == 0
                && (m.get(BE_SHORT, pi + 4) & 0xFFFF) != ((m.get(BE_SHORT, ph + 4) + segments[g]) & 0xFFFF)) {
            return false; // without DF the IDs must follow on (Linux's inet_gro_receive)
        }
        long th = ph + l4[h];
        long ti = pi + l4[i];
        long tt = off[t] + l4[t];
        // ack number; then data offset and window (the flags differ at most by PSH, checked by classify)
        if (m.get(BE_INT, th + 8) != m.get(BE_INT, ti + 8)
                || m.get(ValueLayout.JAVA_BYTE, th + 12) != m.get(ValueLayout.JAVA_BYTE, ti + 12)
                || m.get(BE_SHORT, th + 14) != m.get(BE_SHORT, ti + 14)) {
            return false;
        }
        if (m.get(BE_INT, ti + 4) != m.get(BE_INT, tt + 4) + (len[t] - hdrLen[t])) {
            return false; // not the next in sequence
        }
        if (MemorySegment.mismatch(m, th + 20, th + hl - l4[h], m, ti + 20, ti + hl - l4[h]) != -1) {
            return false; // options (timestamps) differ
        }
        return checksumGood(h) && checksumGood(i);
    }

    private boolean checksumGood(int i) {
        if (csum[i] == CSUM_UNKNOWN) {
            long p = off[i];
            int l4o = l4[i];
            int l4Len = len[i] - l4o;
            long acc = InetChecksum.pseudoHeader(m, p, ipv6[i], InetChecksum.PROTO_TCP, l4Len);
            acc = InetChecksum.sum(m, p + l4o, l4Len, acc);
            csum[i] = InetChecksum.fold(acc) == 0xFFFF ? CSUM_GOOD : CSUM_BAD;
        }
        return csum[i] == CSUM_GOOD;
    }
}

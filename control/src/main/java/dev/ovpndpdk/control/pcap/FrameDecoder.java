package dev.ovpndpdk.control.pcap;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Link layer → IPv4/IPv6 → UDP for one captured frame. Anything that is not a UDP datagram
 * we can locate for certain (ARP, TCP, ESP, non-first fragments, garbage) yields null; such
 * frames are skipped, never an error, because a capture holds all sorts of traffic.
 *
 * <p>IP fragments are not reassembled: a first fragment yields the part it carries, marked
 * truncated; later fragments are skipped (they carry no UDP header).
 */
final class FrameDecoder {
    private FrameDecoder() {
    }

    // LINKTYPE_* values from tcpdump.org/linktypes.html.
    static final int NULL = 0;        // BSD loopback: 4-byte address family, capturing host's order
    static final int ETHERNET = 1;
    static final int RAW_BSD = 12;    // DLT_RAW on most BSDs and Linux
    static final int RAW_OPENBSD = 14; // DLT_RAW on OpenBSD
    static final int RAW = 101;
    static final int LOOP = 108;      // OpenBSD loopback: family in network order
    static final int SLL = 113;       // Linux cooked capture ("tcpdump -i any")
    static final int IPV4 = 228;
    static final int IPV6 = 229;
    static final int SLL2 = 276;      // Linux cooked capture v2 (newer libpcap, "-i any")

    static final String SUPPORTED = "supported: Ethernet (1), raw IP (101, 12, 14, 228, 229), "
            + "Linux cooked SLL (113) and SLL2 (276), null/loopback (0, 108)";

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int PROTO_UDP = 17;

    static boolean supports(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW_BSD, RAW_OPENBSD, RAW, LOOP, SLL, IPV4, IPV6, SLL2 -> true;
            default -> false;
        };
    }

    /** The UDP datagram in {@code f}, or null if it holds none. */
    static UdpDatagram udp(int linkType, PcapReader.Frame f) {
        byte[] d = f.data();
        int n = d.length;
        return switch (linkType) {
            case ETHERNET -> n < 14 ? null : ethernetPayload(f, u16(d, 12), 14);
            case SLL -> n < 16 ? null : ethernetPayload(f, u16(d, 14), 16);
            case SLL2 -> n < 20 ? null : ethernetPayload(f, u16(d, 0), 20);
            case NULL, LOOP -> n < 4 ? null : ip(f, 4, familyVersion(d));
            case RAW, RAW_BSD, RAW_OPENBSD, IPV4, IPV6 -> ip(f, 0, 0);
            default -> null;
        };
    }

    /** Follows 802.1Q/802.1ad tags (any depth) to the IP ethertype. */
    private static UdpDatagram ethernetPayload(PcapReader.Frame f, int ethertype, int off) {
        byte[] d = f.data();
        while (ethertype == 0x8100 || ethertype == 0x88A8 || ethertype == 0x9100) {
            if (off + 4 > d.length) {
                return null;
            }
            ethertype = u16(d, off + 2);
            off += 4;
        }
        return switch (ethertype) {
            case ETHERTYPE_IPV4 -> ip(f, off, 4);
            case ETHERTYPE_IPV6 -> ip(f, off, 6);
            default -> null;
        };
    }

    /**
     * The loopback header's address family is in the capturing host's byte order, which the
     * file does not record; the values cannot be confused in either order. AF_INET6 differs
     * per system (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30).
     *
     * @return 4, 6, or -1 for another family
     */
    private static int familyVersion(byte[] d) {
        int be = (d[0] & 0xFF) << 24 | (d[1] & 0xFF) << 16 | (d[2] & 0xFF) << 8 | (d[3] & 0xFF);
        int family = Integer.compareUnsigned(be, 0xFFFF) <= 0 ? be : Integer.reverseBytes(be);
        return switch (family) {
            case 2 -> 4;
            case 10, 24, 28, 30 -> 6;
            default -> -1;
        };
    }

    /** @param expectVersion 4 or 6 as the link layer says, 0 to take the version nibble, -1 not IP */
    private static UdpDatagram ip(PcapReader.Frame f, int off, int expectVersion) {
        byte[] d = f.data();
        if (expectVersion < 0 || off >= d.length) {
            return null;
        }
        int version = (d[off] & 0xF0) >>> 4;
        if (expectVersion != 0 && version != expectVersion) {
            return null;
        }
        return switch (version) {
            case 4 -> ipv4(f, off);
            case 6 -> ipv6(f, off);
            default -> null;
        };
    }

    private static UdpDatagram ipv4(PcapReader.Frame f, int off) {
        byte[] d = f.data();
        int avail = d.length - off;
        if (avail < 20) {
            return null;
        }
        int ihl = (d[off] & 0x0F) * 4;
        int total = u16(d, off + 2);
        if (total == 0) {
            total = avail; // TSO super-packets captured on the sending host carry length 0
        }
        int flagsFragment = u16(d, off + 6);
        if (ihl < 20 || total < ihl || (d[off + 9] & 0xFF) != PROTO_UDP || (flagsFragment & 0x1FFF) != 0) {
            return null; // bad header, not UDP, or a non-first fragment (no UDP header in it)
        }
        boolean moreFragments = (flagsFragment & 0x2000) != 0;
        boolean cut = total > avail;
        int end = off + Math.min(total, avail); // ignores Ethernet padding/FCS after the packet
        if (off + ihl > end) {
            return null;
        }
        return udp(f, off + ihl, end, Arrays.copyOfRange(d, off + 12, off + 16),
                Arrays.copyOfRange(d, off + 16, off + 20), cut || moreFragments);
    }

    private static UdpDatagram ipv6(PcapReader.Frame f, int off) {
        byte[] d = f.data();
        if (d.length - off < 40) {
            return null;
        }
        int payloadLength = u16(d, off + 4);
        int end = payloadLength == 0 ? d.length : off + 40 + payloadLength; // 0: jumbogram
        boolean truncated = end > d.length;
        end = Math.min(end, d.length);
        int next = d[off + 6] & 0xFF;
        int p = off + 40;
        // RFC 8200 §4: walk the extension headers we can size; give up on anything else.
        for (int hops = 0; next != PROTO_UDP; hops++) {
            if (hops > 16 || p + 8 > end) {
                return null;
            }
            int following = d[p] & 0xFF;
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> p += ((d[p + 1] & 0xFF) + 1) * 8; // hop-by-hop, routing, dst opts, mobility, HIP, shim6
                case 51 -> p += ((d[p + 1] & 0xFF) + 2) * 4;                        // AH (RFC 4302)
                case 44 -> {                                                        // fragment
                    int offsetFlags = u16(d, p + 2);
                    if ((offsetFlags & 0xFFF8) != 0) {
                        return null; // not the first fragment
                    }
                    truncated |= (offsetFlags & 1) != 0;
                    p += 8;
                }
                default -> {
                    return null; // ESP, no-next-header, ICMPv6, TCP, ...
                }
            }
            next = following;
        }
        return udp(f, p, end, Arrays.copyOfRange(d, off + 8, off + 24),
                Arrays.copyOfRange(d, off + 24, off + 40), truncated);
    }

    private static UdpDatagram udp(PcapReader.Frame f, int p, int end, byte[] src, byte[] dst, boolean truncated) {
        byte[] d = f.data();
        if (end - p < 8) {
            return null;
        }
        int length = u16(d, p + 4);
        if (length == 0) {
            length = end - p; // RFC 2675 jumbogram
        } else if (length < 8) {
            return null;
        }
        int payloadEnd = p + length;
        if (payloadEnd > end) {
            truncated = true;
            payloadEnd = end;
        }
        try {
            return new UdpDatagram(f.number(), f.seconds(), f.nanos(),
                    address(src), u16(d, p), address(dst), u16(d, p + 2),
                    Arrays.copyOfRange(d, p + 8, payloadEnd), truncated);
        } catch (UnknownHostException e) {
            throw new AssertionError("4- and 16-byte addresses are always valid", e);
        }
    }

    /**
     * An IPv6 header's address stays an IPv6 address: InetAddress.getByAddress would turn a
     * v4-mapped one (::ffff:a.b.c.d) into IPv4 and misreport which family carried the packet.
     */
    private static InetAddress address(byte[] a) throws UnknownHostException {
        return a.length == 16 ? Inet6Address.getByAddress(null, a, -1) : InetAddress.getByAddress(a);
    }

    private static int u16(byte[] d, int off) {
        return (d[off] & 0xFF) << 8 | (d[off + 1] & 0xFF);
    }
}

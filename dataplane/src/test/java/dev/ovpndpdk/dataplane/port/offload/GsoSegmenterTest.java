package dev.ovpndpdk.dataplane.port.offload;

import static dev.ovpndpdk.dataplane.port.offload.TestSegments.ACK;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.CWR;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.FIN;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class GsoSegmenterTest {
    private final Arena arena = Arena.ofAuto();
    private final GsoSegmenter seg = new GsoSegmenter();

    /**
     * {@code pkt} as a TUN read with offloads hands it over: virtio_net_hdr, then the packet
     * with only the pseudo-header sum in its TCP/UDP checksum (CHECKSUM_PARTIAL).
     */
    private static byte[] asRead(byte[] pkt, int gsoType, int gsoSize) {
        byte[] p = pkt.clone();
        int l4 = TestSegments.l4(p);
        boolean tcp = TestSegments.proto(p) == 6;
        int field = l4 + (tcp ? 16 : 6);
        TestSegments.put16(p, field, TestSegments.pseudo(p));
        int hdrLen = l4 + (tcp ? (p[l4 + 12] & 0xF0) >>> 2 : 8);
        byte[] h = new byte[VirtioNetHdr.SIZE];
        MemorySegment hs = MemorySegment.ofArray(h);
        VirtioNetHdr.set(hs, 0, VirtioNetHdr.F_NEEDS_CSUM, gsoType, hdrLen, gsoSize, l4, tcp ? 16 : 6);
        return TestSegments.concat(h, p);
    }

    private List<byte[]> segment(byte[] read) {
        MemorySegment src = arena.allocate(read.length + 64);
        MemorySegment.copy(read, 0, src, ValueLayout.JAVA_BYTE, 32, read.length);
        assertTrue(seg.load(src, 32, read.length), "load");
        MemorySegment dst = arena.allocate(2048);
        List<byte[]> out = new ArrayList<>();
        while (seg.hasNext()) {
            int n = seg.next(dst, 100, 1900);
            assertTrue(n > 0);
            out.add(dst.asSlice(100, n).toArray(ValueLayout.JAVA_BYTE));
        }
        return out;
    }

    private static void assertTcpSegments(boolean v6, int payload, int gso, int origFlags, int ts) {
        int id = 0xFFFE; // wraps during the train
        int seq = 0xFFFFF000; // and so does the sequence number
        byte[] sup = TestSegments.tcp(v6, id, seq, origFlags, payload, ts);
        GsoSegmenterTest t = new GsoSegmenterTest();
        List<byte[]> segs = t.segment(asRead(sup, v6 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4, gso));
        int n = (payload + gso - 1) / gso;
        assertEquals(n, segs.size());
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            int flags = origFlags & ~(FIN | PSH | CWR) | (i == 0 ? origFlags & CWR : 0) | (last ? origFlags & (FIN | PSH) : 0);
            int len = last ? payload - i * gso : gso;
            byte[] want = TestSegments.tcp(v6, id + i, seq + i * gso, flags, len, ts);
            byte[] got = segs.get(i);
            assertArrayEquals(want, got, "segment " + i);
            assertTrue(TestSegments.l4ChecksumValid(got), "TCP checksum of segment " + i);
            if (!v6) {
                assertTrue(TestSegments.ipv4HeaderValid(got), "IPv4 header checksum of segment " + i);
            }
        }
    }

    @Test
    void tcpv4SuperPacketBecomesMssSizedSegments() {
        assertTcpSegments(false, 10000, 1448, ACK | PSH, 12345);
    }

    @Test
    void tcpv6OddSizesWithOptionsAndShortLastSegment() {
        assertTcpSegments(true, 4001, 1000, ACK | PSH, 99);
        assertTcpSegments(true, 3 * 1220, 1220, ACK, 0);
    }

    @Test
    void finAndPshOnlyOnTheLastCwrOnlyOnTheFirst() {
        assertTcpSegments(false, 5000, 1448, ACK | PSH | FIN | CWR, 7);
        assertTcpSegments(true, 5000, 1428, ACK | PSH | FIN | CWR, 0);
    }

    @Test
    void superPacketOfOneSegmentIsFinished() {
        assertTcpSegments(false, 1000, 1448, ACK | PSH, 5);
    }

    private static void assertUdpSegments(boolean v6, int payload, int gso) {
        byte[] sup = TestSegments.udp(v6, 100, payload, 0);
        GsoSegmenterTest t = new GsoSegmenterTest();
        List<byte[]> segs = t.segment(asRead(sup, VirtioNetHdr.GSO_UDP_L4, gso));
        int n = (payload + gso - 1) / gso;
        assertEquals(n, segs.size());
        for (int i = 0; i < n; i++) {
            int len = i == n - 1 ? payload - i * gso : gso;
            byte[] want = TestSegments.udp(v6, 100 + i, len, i * gso);
            assertArrayEquals(want, segs.get(i), "datagram " + i);
            assertTrue(TestSegments.l4ChecksumValid(segs.get(i)));
        }
    }

    @Test
    void udpSuperPacketBecomesDatagrams() {
        assertUdpSegments(false, 3000, 1200);
        assertUdpSegments(true, 7001, 1400);
    }

    @Test
    void partialChecksumOfAPlainPacketIsFinished() {
        byte[] p = TestSegments.tcp(false, 1, 1000, ACK, 777, 0);
        List<byte[]> out = segment(asRead(p, VirtioNetHdr.GSO_NONE, 0));
        assertEquals(1, out.size());
        assertArrayEquals(p, out.get(0));
        byte[] u = TestSegments.udp(true, 0, 333, 5);
        out = segment(asRead(u, VirtioNetHdr.GSO_NONE, 0));
        assertArrayEquals(u, out.get(0));
    }

    @Test
    void plainPacketWithoutFlagsIsCopiedUnchanged() {
        byte[] icmp = {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 8, 0, 1, 2, 3, 4, 5, 6};
        byte[] read = TestSegments.concat(new byte[VirtioNetHdr.SIZE], icmp);
        List<byte[]> out = segment(read);
        assertEquals(1, out.size());
        assertArrayEquals(icmp, out.get(0));
    }

    @Test
    void inconsistentHeadersAreRefused() {
        byte[] p = TestSegments.tcp(false, 1, 0, ACK, 3000, 0);
        MemorySegment m = arena.allocate(4096);
        byte[] read = asRead(p, VirtioNetHdr.GSO_UDP, 1000); // UFO: never asked for
        MemorySegment.copy(read, 0, m, ValueLayout.JAVA_BYTE, 0, read.length);
        assertFalse(seg.load(m, 0, read.length));
        read = asRead(p, VirtioNetHdr.GSO_TCPV6, 1000); // IPv4 packet, IPv6 type
        MemorySegment.copy(read, 0, m, ValueLayout.JAVA_BYTE, 0, read.length);
        assertFalse(seg.load(m, 0, read.length));
        read = asRead(p, VirtioNetHdr.GSO_TCPV4, 0); // no segment size
        MemorySegment.copy(read, 0, m, ValueLayout.JAVA_BYTE, 0, read.length);
        assertFalse(seg.load(m, 0, read.length));
        read = asRead(p, VirtioNetHdr.GSO_TCPV4, 1000);
        m.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) 24); // csum_start not at the TCP header
        MemorySegment.copy(read, 0, m, ValueLayout.JAVA_BYTE, 0, 6);
        assertFalse(seg.load(m, 0, read.length));
        assertFalse(seg.load(m, 0, VirtioNetHdr.SIZE));
        assertFalse(seg.hasNext());
    }

    @Test
    void segmentLongerThanTheBufferIsSkipped() {
        byte[] p = TestSegments.tcp(false, 1, 0, ACK, 4000, 0);
        byte[] read = asRead(p, VirtioNetHdr.GSO_TCPV4, 1448);
        MemorySegment m = arena.allocate(read.length);
        MemorySegment.copy(read, 0, m, ValueLayout.JAVA_BYTE, 0, read.length);
        assertTrue(seg.load(m, 0, read.length));
        assertEquals(3, seg.segments());
        assertEquals(-1, seg.next(arena.allocate(2048), 0, 1000));
        assertTrue(seg.hasNext());
        seg.skip();
        assertFalse(seg.hasNext());
    }
}

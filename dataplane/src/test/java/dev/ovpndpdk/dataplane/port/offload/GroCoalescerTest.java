package dev.ovpndpdk.dataplane.port.offload;

import static dev.ovpndpdk.dataplane.port.offload.TestSegments.ACK;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.FIN;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.PSH;
import static dev.ovpndpdk.dataplane.port.offload.TestSegments.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class GroCoalescerTest {
    private static final int MSS = 1448;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment mem = arena.allocate(256 * 2048);
    private final long[] off = new long[256];
    private final int[] len = new int[256];
    private final GroCoalescer gro = new GroCoalescer(256);
    private final List<byte[]> packets = new ArrayList<>();

    private void add(byte[] p) {
        int i = packets.size();
        off[i] = i * 2048L + 128;
        len[i] = p.length;
        MemorySegment.copy(p, 0, mem, ValueLayout.JAVA_BYTE, off[i], p.length);
        packets.add(p);
    }

    private int plan() {
        return gro.plan(mem, off, len, packets.size());
    }

    private List<Integer> members(int g) {
        List<Integer> m = new ArrayList<>();
        for (int e = gro.first(g); e >= 0; e = gro.nextMember(e)) {
            m.add(e);
        }
        return m;
    }

    /** What the TUN write of group {@code g} carries: virtio_net_hdr, headers, payloads. */
    private byte[] write(int g) {
        MemorySegment h = arena.allocate(256);
        int hn = gro.writeHeader(g, h, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.asSlice(0, hn).toArray(ValueLayout.JAVA_BYTE));
        for (int e : members(g)) {
            byte[] p = packets.get(e);
            int hl = gro.headerLength(e);
            out.write(p, hl, p.length - hl);
        }
        return out.toByteArray();
    }

    /** The packet the host sees once it finished the partial checksum (virtio_net_hdr checked on the way). */
    private static byte[] finishAsKernel(byte[] w, boolean v6, int segs) {
        MemorySegment h = MemorySegment.ofArray(w);
        assertEquals(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.flags(h, 0));
        assertEquals(v6 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.gsoType(h, 0));
        assertEquals(16, VirtioNetHdr.csumOffset(h, 0));
        byte[] p = java.util.Arrays.copyOfRange(w, VirtioNetHdr.SIZE, w.length);
        int start = VirtioNetHdr.csumStart(h, 0);
        assertEquals(TestSegments.l4(p), start);
        int c = ~TestSegments.onesSum(p, start, p.length - start, 0) & 0xFFFF;
        TestSegments.put16(p, start + 16, c);
        assertTrue(TestSegments.l4ChecksumValid(p), "TCP checksum of the super-packet");
        int hdrLen = VirtioNetHdr.hdrLen(h, 0);
        assertEquals(start + ((p[start + 12] & 0xF0) >>> 2), hdrLen, "hdr_len: IP and TCP headers");
        int gso = VirtioNetHdr.gsoSize(h, 0);
        assertEquals(segs, (p.length - hdrLen + gso - 1) / gso, "segments the header announces");
        if (v6) {
            assertEquals(p.length - 40, TestSegments.u16(p, 4));
        } else {
            assertEquals(p.length, TestSegments.u16(p, 2));
            assertTrue(TestSegments.ipv4HeaderValid(p));
        }
        return p;
    }

    /** Segments the written super-packet again: it must give back the original packets. */
    private void assertRoundTrip(int g) {
        byte[] w = write(g);
        MemorySegment src = arena.allocate(w.length);
        MemorySegment.copy(w, 0, src, ValueLayout.JAVA_BYTE, 0, w.length);
        GsoSegmenter s = new GsoSegmenter();
        assertTrue(s.load(src, 0, w.length));
        MemorySegment dst = arena.allocate(2048);
        List<Integer> m = members(g);
        assertEquals(m.size(), s.segments());
        for (int e : m) {
            int n = s.next(dst, 0, 2048);
            assertArrayEquals(packets.get(e), dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), "segment " + e);
        }
    }

    private void flow(boolean v6, int id, int seq, int count, int lastLen, int lastFlags) {
        for (int i = 0; i < count; i++) {
            boolean last = i == count - 1;
            add(TestSegments.tcp(v6, id + i, seq + i * MSS, last ? lastFlags : ACK, last ? lastLen : MSS, 4242));
        }
    }

    @Test
    void inSequenceSegmentsBecomeOneSuperPacketV4() {
        flow(false, 0xFFF0, 0x7FFFF000, 20, 1000, ACK | PSH);
        assertEquals(1, plan());
        assertEquals(20, gro.segments(0));
        byte[] p = finishAsKernel(write(0), false, 20);
        assertEquals(20 + 32 + 19 * MSS + 1000, p.length);
        assertEquals(ACK | PSH, p[20 + 13] & 0xFF, "PSH of the last segment on the whole");
        assertRoundTrip(0);
    }

    @Test
    void inSequenceSegmentsBecomeOneSuperPacketV6() {
        flow(true, 0, 1, 7, MSS, ACK);
        assertEquals(1, plan());
        finishAsKernel(write(0), true, 7);
        assertRoundTrip(0);
    }

    @Test
    void interleavedFlowsAreCoalescedSeparately() {
        for (int i = 0; i < 6; i++) {
            add(TestSegments.tcp(false, i, 1000 + i * MSS, ACK, MSS, 1));
            add(TestSegments.tcp(true, 0, 5000 + i * MSS, ACK, MSS, 1));
        }
        assertEquals(2, plan());
        assertEquals(List.of(0, 2, 4, 6, 8, 10), members(0));
        assertEquals(List.of(1, 3, 5, 7, 9, 11), members(1));
        assertRoundTrip(0);
        assertRoundTrip(1);
    }

    @Test
    void aGapClosesTheGroupAndNothingOvertakes() {
        add(TestSegments.tcp(false, 0, 0, ACK, MSS, 1));
        add(TestSegments.tcp(false, 1, MSS, ACK, MSS, 1));
        add(TestSegments.tcp(false, 2, 5 * MSS, ACK, MSS, 1)); // gap (a loss)
        add(TestSegments.tcp(false, 3, 2 * MSS, ACK, MSS, 1)); // would follow group 0: must not
        add(TestSegments.tcp(false, 4, 6 * MSS, ACK, MSS, 1)); // would follow group 1: must not overtake 3 either
        assertEquals(4, plan());
        assertEquals(List.of(0, 1), members(0));
        assertEquals(List.of(2), members(1));
        assertEquals(List.of(3), members(2));
        assertEquals(List.of(4), members(3));
    }

    @Test
    void aShortSegmentOrPshEndsTheGroup() {
        add(TestSegments.tcp(false, 0, 0, ACK, MSS, 1));
        add(TestSegments.tcp(false, 1, MSS, ACK, 500, 1));
        add(TestSegments.tcp(false, 2, MSS + 500, ACK | PSH, MSS, 1));
        add(TestSegments.tcp(false, 3, 2 * MSS + 500, ACK, MSS, 1));
        add(TestSegments.tcp(false, 4, 3 * MSS + 500, ACK | PSH, MSS, 1));
        add(TestSegments.tcp(false, 5, 4 * MSS + 500, ACK, MSS, 1));
        assertEquals(4, plan());
        assertEquals(List.of(0, 1), members(0));
        assertEquals(List.of(2), members(1));
        assertEquals(List.of(3, 4), members(2));
        assertEquals(List.of(5), members(3));
        assertRoundTrip(0);
        assertRoundTrip(2);
    }

    @Test
    void differentTimestampsOrAckOrFlagsAreNotMerged() {
        add(TestSegments.tcp(false, 0, 0, ACK, MSS, 1));
        add(TestSegments.tcp(false, 1, MSS, ACK, MSS, 2)); // timestamp changed
        add(TestSegments.tcp(false, 2, 2 * MSS, ACK | FIN, MSS, 2));
        add(TestSegments.tcp(false, 3, 0, SYN, 0, 2));
        assertEquals(4, plan());
    }

    @Test
    void badChecksumIsNotMerged() {
        flow(false, 0, 0, 3, MSS, ACK);
        byte[] broken = TestSegments.tcp(false, 3, 3 * MSS, ACK, MSS, 4242);
        broken[broken.length - 1] ^= 1;
        add(broken);
        add(TestSegments.tcp(false, 4, 4 * MSS, ACK, MSS, 4242));
        assertEquals(3, plan());
        assertEquals(List.of(0, 1, 2), members(0));
        assertEquals(List.of(3), members(1));
        assertEquals(List.of(4), members(2));
    }

    @Test
    void otherProtocolsStayAlone() {
        add(TestSegments.udp(false, 0, 1000, 0));
        add(TestSegments.udp(false, 1, 1000, 1000));
        add(TestSegments.udp(true, 0, 1000, 0));
        add(new byte[] {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 8, 0, 1, 2, 3, 4, 5, 6});
        assertEquals(4, plan());
    }

    /** A copy of {@code p} with IPv4 flags/fragment offset {@code frag} (checksums fixed). */
    private static byte[] withFrag(byte[] p, int frag) {
        byte[] q = p.clone();
        TestSegments.put16(q, 6, frag);
        TestSegments.fixChecksums(q);
        return q;
    }

    /**
     * A fragment of TCP, or IPv6 TCP behind an extension header, shows no ports: it may be the
     * open flow's, so a later segment must not join the group written before it.
     */
    @Test
    void aFragmentOrExtensionHeaderBetweenTheSameHostsClosesTheirGroups() {
        add(TestSegments.tcp(false, 0, 0, ACK, MSS, 1));
        add(TestSegments.tcp(false, 1, MSS, ACK, MSS, 1));
        add(withFrag(TestSegments.tcp(false, 2, 0, ACK, 600, 1), 0x2000)); // MF: a first fragment (a resent segment)
        add(TestSegments.tcp(false, 3, 2 * MSS, ACK, MSS, 1)); // would follow group 0: must not overtake 2
        add(TestSegments.tcp(false, 4, 3 * MSS, ACK, MSS, 1));
        assertEquals(3, plan());
        assertEquals(List.of(0, 1), members(0));
        assertEquals(List.of(2), members(1));
        assertEquals(List.of(3, 4), members(2));

        packets.clear();
        byte[] seg = TestSegments.tcp(true, 0, 2 * MSS, ACK | FIN, 0, 1);
        byte[] hbh = new byte[seg.length + 8]; // a FIN behind a hop-by-hop options header
        System.arraycopy(seg, 0, hbh, 0, 40);
        hbh[6] = 0; // next header: hop-by-hop
        TestSegments.put16(hbh, 4, seg.length - 40 + 8);
        hbh[40] = 6; // its next header: TCP; length 0 (8 bytes); PadN over the other 6
        hbh[42] = 1;
        hbh[43] = 4;
        System.arraycopy(seg, 40, hbh, 48, seg.length - 40);
        add(TestSegments.tcp(true, 0, 0, ACK, MSS, 1));
        add(TestSegments.tcp(true, 0, MSS, ACK, MSS, 1));
        add(hbh);
        add(TestSegments.tcp(true, 0, 2 * MSS, ACK, MSS, 1)); // would follow group 0: must not overtake the FIN
        assertEquals(3, plan());
        assertEquals(List.of(0, 1), members(0));
        assertEquals(List.of(2), members(1));
        assertEquals(List.of(3), members(2));
    }

    /** Traffic between other hosts, or not possibly TCP, leaves the group open. */
    @Test
    void otherHostsFragmentsAndUdpLeaveTheGroupOpen() {
        add(TestSegments.tcp(false, 0, 0, ACK, MSS, 1));
        byte[] other = withFrag(TestSegments.tcp(false, 7, 0, ACK, 600, 1), 0x2000);
        other[19] = 9; // to 10.0.0.9
        TestSegments.fixChecksums(other);
        add(other);
        add(TestSegments.udp(false, 8, 1000, 0));
        add(withFrag(TestSegments.udp(false, 9, 1000, 0), 0x2000));
        add(TestSegments.tcp(false, 1, MSS, ACK, MSS, 1));
        assertEquals(4, plan());
        assertEquals(List.of(0, 4), members(0));
    }

    /** Without DF, Linux merges only segments whose IPv4 IDs follow on; so must we. */
    @Test
    void withoutDfTheIpIdsMustFollowOn() {
        for (int i = 0; i < 3; i++) {
            add(withFrag(TestSegments.tcp(false, 0xFFFE + i, i * MSS, ACK, MSS, 1), 0)); // IDs wrap: FFFE FFFF 0000
        }
        add(withFrag(TestSegments.tcp(false, 5, 3 * MSS, ACK, MSS, 1), 0)); // a jump
        assertEquals(2, plan());
        assertEquals(List.of(0, 1, 2), members(0));
        assertEquals(List.of(3), members(1));
        assertRoundTrip(0);

        packets.clear();
        add(TestSegments.tcp(false, 40, 0, ACK, MSS, 1)); // with DF the IDs do not matter
        add(TestSegments.tcp(false, 40, MSS, ACK, MSS, 1));
        add(TestSegments.tcp(false, 3, 2 * MSS, ACK, MSS, 1));
        assertEquals(1, plan());
    }

    /** Linux merges only packets whose frag_off is DF or 0: the reserved flag keeps one alone. */
    @Test
    void theReservedFlagKeepsASegmentOutOfGroups() {
        add(TestSegments.tcp(false, 1, 0, ACK, MSS, 1));
        add(withFrag(TestSegments.tcp(false, 2, MSS, ACK, MSS, 1), 0xC000)); // DF and reserved
        add(TestSegments.tcp(false, 3, 2 * MSS, ACK, MSS, 1));
        assertEquals(3, plan());
        assertEquals(List.of(1), members(1));
    }

    @Test
    void aGroupStopsAt64KiB() {
        flow(false, 0, 0, 50, MSS, ACK);
        int groups = plan();
        assertEquals(2, groups);
        int n = (GroCoalescer.MAX_LENGTH - 52) / MSS;
        assertEquals(n, gro.segments(0));
        assertTrue(finishAsKernel(write(0), false, n).length <= GroCoalescer.MAX_LENGTH);
        assertRoundTrip(0);
        assertRoundTrip(1);
    }
}

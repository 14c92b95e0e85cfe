package dev.ovpndpdk.dataplane.port.offload;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the TUN offloads (docs/fuzzing.md). Packets live in heap
 * segments of exactly their length, so any read past them throws.
 * <ul>
 * <li>{@link #segmenterTakesAnyTunRead}: the fuzzer's bytes are a TUN read (virtio_net_hdr,
 *     then a packet) for {@link GsoSegmenter}; it refuses it or yields segments that each fit
 *     the room given, and a segmented train carries exactly the read's payload.
 * <li>{@link #coalescedBurstSegmentsBackToItself}: a burst built from fuzzer choices (TCP
 *     segments of two flows over IPv4 and IPv6, in and out of order, with and without
 *     timestamps, flags, flipped bytes with or without fixed checksums, and raw junk) goes
 *     through {@link GroCoalescer}: every packet is in exactly one group, in order; each
 *     group written as the TUN writer does (its header, then every member's payload) is a
 *     read the segmenter takes, and it gives back the group's packets byte for byte but for
 *     the IPv4 ID and header checksum (which segmentation rewrites) and, without URG, the
 *     urgent pointer (which Linux's GRO does not compare either).
 * </ul>
 */
class OffloadFuzzTest {
    private static final int[] FLAGS = {TestSegments.ACK | TestSegments.PSH, TestSegments.ACK | TestSegments.FIN,
        TestSegments.SYN, TestSegments.ACK | TestSegments.CWR, 0};
    private static final int BURST = 32;
    private static final int URG = 0x20;

    static Stream<Arguments> tunReads() {
        return Stream.of(
                read(VirtioNetHdr.GSO_TCPV4, 40, 100, TestSegments.tcp(false, 7, 1000, TestSegments.ACK, 950, 5)),
                read(VirtioNetHdr.GSO_TCPV6, 40, 1000, TestSegments.tcp(true, 0, 1000, TestSegments.ACK | TestSegments.PSH, 2500, 0)),
                read(VirtioNetHdr.GSO_UDP_L4, 20, 300, TestSegments.udp(false, 9, 1000, 3)),
                read(VirtioNetHdr.GSO_NONE, 40, 0, TestSegments.udp(true, 0, 64, 1)))
                .map(b -> Arguments.of((Object) b));
    }

    private static byte[] read(int type, int l4, int gsoSize, byte[] packet) {
        byte[] r = new byte[VirtioNetHdr.SIZE + packet.length];
        MemorySegment m = MemorySegment.ofArray(r);
        int csumOffset = TestSegments.proto(packet) == 6 ? 16 : 6;
        VirtioNetHdr.set(m, 0, VirtioNetHdr.F_NEEDS_CSUM, type, 0, gsoSize, l4, csumOffset);
        System.arraycopy(packet, 0, r, VirtioNetHdr.SIZE, packet.length);
        return r;
    }

    @MethodSource("tunReads")
    @FuzzTest
    void segmenterTakesAnyTunRead(byte[] read) {
        GsoSegmenter gso = new GsoSegmenter();
        MemorySegment src = MemorySegment.ofArray(read);
        if (!gso.load(src, 0, read.length)) {
            return;
        }
        assertTrue(gso.segments() >= 1);
        int room = 2048;
        MemorySegment dst = MemorySegment.ofArray(new byte[room]);
        int produced = 0;
        while (gso.hasNext()) {
            int n = gso.next(dst, 0, room);
            assertTrue(n == -1 || (n > 0 && n <= room), "segment of " + n);
            produced++;
        }
        assertEquals(gso.segments(), produced);
    }

    @FuzzTest
    void coalescedBurstSegmentsBackToItself(FuzzedDataProvider data) {
        int count = data.consumeInt(1, BURST);
        int mss = data.consumeInt(1, 1400);
        int[] nextSeq = {data.consumeInt(), data.consumeInt()};
        int[] nextId = {1, 1};
        byte[][] packets = new byte[count][];
        for (int i = 0; i < count; i++) {
            packets[i] = data.consumeInt(0, 7) == 0 ? data.consumeBytes(data.consumeInt(0, 300))
                    : segment(data, mss, nextSeq, nextId);
        }
        int total = Arrays.stream(packets).mapToInt(p -> p.length).sum();
        MemorySegment mem = MemorySegment.ofArray(new byte[total]);
        long[] off = new long[count];
        int[] len = new int[count];
        long at = 0;
        for (int i = 0; i < count; i++) {
            MemorySegment.copy(packets[i], 0, mem, ValueLayout.JAVA_BYTE, at, packets[i].length);
            off[i] = at;
            len[i] = packets[i].length;
            at += len[i];
        }
        GroCoalescer gro = new GroCoalescer(BURST);
        int groups = gro.plan(mem, off, len, count);
        boolean[] seen = new boolean[count];
        GsoSegmenter gso = new GsoSegmenter();
        for (int g = 0; g < groups; g++) {
            int members = 0;
            int previous = -1;
            for (int e = gro.first(g); e != -1; e = gro.nextMember(e)) {
                assertFalse(seen[e], "entry " + e + " in two groups");
                assertTrue(e > previous, "members in order");
                seen[e] = true;
                previous = e;
                members++;
            }
            assertEquals(gro.segments(g), members);
            if (members > 1) {
                segmentsBack(gro, g, mem, off, len, packets, gso);
            }
        }
        for (int i = 0; i < count; i++) {
            assertTrue(seen[i], "entry " + i + " in no group");
        }
    }

    /** Writes group {@code g} as the TUN writer would and segments it again. */
    private static void segmentsBack(GroCoalescer gro, int g, MemorySegment mem, long[] off, int[] len,
                                     byte[][] packets, GsoSegmenter gso) {
        byte[] superPacket = new byte[VirtioNetHdr.SIZE + GroCoalescer.MAX_LENGTH];
        MemorySegment out = MemorySegment.ofArray(superPacket);
        int n = gro.writeHeader(g, out, 0);
        for (int e = gro.first(g); e != -1; e = gro.nextMember(e)) {
            int h = gro.headerLength(e);
            MemorySegment.copy(mem, off[e] + h, out, n, len[e] - h);
            n += len[e] - h;
        }
        assertTrue(n - VirtioNetHdr.SIZE <= GroCoalescer.MAX_LENGTH, "group of " + n + " bytes");
        byte[] read = Arrays.copyOf(superPacket, n);
        assertTrue(gso.load(MemorySegment.ofArray(read), 0, n), "the segmenter refuses a coalesced group");
        assertEquals(gro.segments(g), gso.segments());
        byte[] seg = new byte[GroCoalescer.MAX_LENGTH];
        MemorySegment dst = MemorySegment.ofArray(seg);
        for (int e = gro.first(g); e != -1; e = gro.nextMember(e)) {
            int m = gso.next(dst, 0, seg.length);
            byte[] original = packets[e].clone();
            byte[] back = Arrays.copyOf(seg, m);
            assertEquals(original.length, back.length, "segment length");
            if (!TestSegments.v6(original)) {
                for (int b : new int[] {4, 5, 10, 11}) { // ID and header checksum: segmentation writes them
                    original[b] = 0;
                    back[b] = 0;
                }
            }
            int th = TestSegments.l4(original);
            for (byte[] p : new byte[][] {original, back}) {
                if (TestSegments.u16(p, th + 16) == 0xFFFF) {
                    TestSegments.put16(p, th + 16, 0); // -0 and +0 are one checksum
                }
                if ((p[th + 13] & URG) == 0) {
                    // Meaningless without URG; Linux's GRO does not compare it either, so the
                    // group's first value comes back on every segment. Its checksum with it.
                    TestSegments.put16(p, th + 16, 0);
                    TestSegments.put16(p, th + 18, 0);
                }
            }
            assertArrayEquals(original, back, "segment " + e + " of group " + g);
        }
    }

    /** A TCP segment of flow 0 (IPv4) or 1 (IPv6), mostly in sequence, maybe damaged. */
    private static byte[] segment(FuzzedDataProvider data, int mss, int[] nextSeq, int[] nextId) {
        int f = data.consumeBoolean() ? 1 : 0;
        boolean inOrder = !data.consumeBoolean();
        int seq = inOrder ? nextSeq[f] : data.consumeInt();
        int payload = data.consumeBoolean() ? data.consumeInt(0, 1400) : mss;
        int flags = data.consumeBoolean() ? data.pickValue(FLAGS) : TestSegments.ACK;
        int id = data.consumeBoolean() ? data.consumeInt(0, 0xFFFF) : nextId[f];
        int ts = data.consumeBoolean() ? 0 : 1000;
        int flips = data.consumeInt(0, 2);
        boolean fix = data.consumeBoolean();
        byte[] p = TestSegments.tcp(f == 1, id, seq, flags, payload, ts);
        nextSeq[f] = seq + payload;
        nextId[f] = id + 1;
        for (int i = 0; i < flips; i++) {
            p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        if (flips > 0 && fix) {
            try {
                TestSegments.fixChecksums(p); // a changed header field that still verifies
            } catch (IndexOutOfBoundsException e) {
                // the flip broke the lengths the fix reads: the packet stays as it is
            }
        }
        return p;
    }
}

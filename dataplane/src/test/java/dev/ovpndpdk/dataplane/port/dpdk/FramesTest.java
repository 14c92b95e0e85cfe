package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.dataplane.port.PacketBatch;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Framing checked against a byte-at-a-time checksum and a field-by-field reading. */
class FramesTest {
    private static final long MAC_A = 0x02_00_00_00_00_0AL;
    private static final long MAC_B = 0x02_00_00_00_00_0BL;
    private static final WireAddress ME4 = new WireAddress(MAC_A, false, 0, 0x0A0A0101L, 1194);
    private static final WireAddress PEER4 = new WireAddress(MAC_B, false, 0, 0x0A0A0102L, 1194);
    private static final WireAddress ME6 = new WireAddress(MAC_A, true, 0xFD00_0000_0000_0001L, 1, 1194);
    private static final WireAddress PEER6 = new WireAddress(MAC_B, true, 0xFD00_0000_0000_0001L, 2, 51000);

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment all = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** RFC 1071 the slow way: 16-bit words, one byte at a time. */
    private static int slowSum(byte[] b, int from, int to, long start) {
        long sum = start;
        for (int i = from; i < to; i += 2) {
            int hi = b[i] & 0xFF;
            int lo = i + 1 < to ? b[i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static long pseudo6(byte[] f, int ip, int len, int proto) {
        return slowSum(f, ip + 8, ip + 40, 0) + len + proto;
    }

    private MemorySegment frame(WireAddress from, WireAddress to, int payloadLen, Random r) {
        MemorySegment buf = arena.allocate(2048);
        long payload = buf.address() + 128;
        byte[] data = new byte[payloadLen];
        r.nextBytes(data);
        MemorySegment.copy(data, 0, all, ValueLayout.JAVA_BYTE, payload, payloadLen);
        long f = Frames.writeHeaders(payload, payloadLen, to.mac(), from, to.ipv6(), to.hi(), to.lo(), to.port(), (short) 7, false);
        int len = Frames.outerLength(to.ipv6()) + payloadLen;
        return all.asSlice(f, len);
    }

    @Test
    void ipv4HeadersAreValidAndParseBack() {
        Random r = new Random(1);
        for (int size : new int[] {0, 1, 15, 16, 17, 63, 64, 1000, 1423, 1424, 1472}) {
            MemorySegment s = frame(ME4, PEER4, size, r);
            byte[] f = s.toArray(ValueLayout.JAVA_BYTE);
            assertEquals(0x0800, u16(f, 12));
            assertEquals(MAC_B, Frames.mac(s.address()), "destination MAC");
            assertEquals(MAC_A, Frames.mac(s.address() + 6), "source MAC");
            assertEquals(0x4500, u16(f, 14), "version, IHL, TOS");
            assertEquals(7, u16(f, 18), "id");
            assertEquals(0, u16(f, 20), "no DF, no fragment");
            assertEquals(0x4011, u16(f, 22), "TTL 64, UDP");
            assertEquals(ME4.lo(), ((long) u16(f, 26) << 16) | u16(f, 28), "source address");
            assertEquals(PEER4.lo(), ((long) u16(f, 30) << 16) | u16(f, 32), "destination address");
            assertEquals(1194, u16(f, 34), "source port");
            assertEquals(PEER4.port(), u16(f, 36), "destination port");
            assertEquals(0xFFFF, slowSum(f, 14, 34, 0), "IPv4 header checksum, size " + size);
            assertEquals(20 + 8 + size, u16(f, 16));
            assertEquals(0, u16(f, 40), "no UDP checksum over IPv4");
            assertEquals(8 + size, u16(f, 38));

            Neighbours n = new Neighbours();
            PacketBatch b = PacketBatch.overNativeMemory(4, 2000);
            assertTrue(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 2));
            assertEquals(s.address() + 42, b.offset[2]);
            assertEquals(size, b.length[2]);
            assertEquals(ME4.lo(), b.addrLo[2]);
            assertEquals(1194, b.addrPort[2]);
            assertEquals(MAC_A, n.lookup(false, 0, ME4.lo()), "sender learned");
            assertFalse(Frames.accept(s.address(), (int) s.byteSize(), ME4, new Neighbours.Memo(n), b, 0), "not addressed to the sender");
        }
    }

    @Test
    void ipv6UdpChecksumVerifies() {
        Random r = new Random(2);
        for (int size : new int[] {0, 1, 7, 8, 9, 100, 1423, 1424, 1452}) {
            MemorySegment s = frame(ME6, PEER6, size, r);
            byte[] f = s.toArray(ValueLayout.JAVA_BYTE);
            assertEquals(0x86DD, u16(f, 12));
            int udpLen = 8 + size;
            assertEquals(udpLen, u16(f, 18));
            assertEquals(0xFFFF, slowSum(f, 54, 54 + udpLen, pseudo6(f, 14, udpLen, 17)), "UDP checksum, size " + size);

            Neighbours n = new Neighbours();
            PacketBatch b = PacketBatch.overNativeMemory(1, 2000);
            assertTrue(Frames.accept(s.address(), (int) s.byteSize(), PEER6, new Neighbours.Memo(n), b, 0));
            assertEquals(size, b.length[0]);
            assertTrue(b.addrV6[0]);
            assertEquals(ME6.hi(), b.addrHi[0]);
            assertEquals(ME6.lo(), b.addrLo[0]);
            assertEquals(1194, b.addrPort[0]);
            assertEquals(MAC_A, n.lookup(true, ME6.hi(), ME6.lo()));
        }
    }

    @Test
    void wrongPortTruncatedOrFragmentedGoToTheException() {
        Random r = new Random(3);
        Neighbours n = new Neighbours();
        PacketBatch b = PacketBatch.overNativeMemory(1, 2000);
        MemorySegment s = frame(ME4, new WireAddress(MAC_B, false, 0, PEER4.lo(), 1195), 100, r);
        assertFalse(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 0), "other port");
        s = frame(ME4, PEER4, 100, r);
        assertFalse(Frames.accept(s.address(), (int) s.byteSize() - 1, PEER4, new Neighbours.Memo(n), b, 0), "frame shorter than IP says");
        s.set(ValueLayout.JAVA_BYTE, 14 + 6, (byte) 0x20); // MF
        assertFalse(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 0), "fragment");
        s = frame(ME6, PEER6, 100, r);
        assertFalse(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 0), "IPv6 to an IPv4 daemon");
    }

    @Test
    void ipv4WithOptionsTakesTheGeneralPath() {
        // The same datagram with a 4-byte option (IHL 6): not the fast path's, still ours.
        MemorySegment plain = frame(ME4, PEER4, 100, new Random(5));
        MemorySegment s = arena.allocate(plain.byteSize() + 4);
        MemorySegment.copy(plain, 0, s, 0, 34);
        MemorySegment.copy(plain, 34, s, 38, plain.byteSize() - 34);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 34, 0x01010101); // four NOPs
        s.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x46);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 16, (short) (24 + 8 + 100));
        Neighbours n = new Neighbours();
        PacketBatch b = PacketBatch.overNativeMemory(1, 2000);
        assertTrue(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 0));
        assertEquals(s.address() + 14 + 24 + 8, b.offset[0]);
        assertEquals(100, b.length[0]);
        assertEquals(ME4.lo(), b.addrLo[0]);
        assertEquals(1194, b.addrPort[0]);
        s.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x44); // IHL 4: shorter than an IPv4 header
        assertFalse(Frames.accept(s.address(), (int) s.byteSize(), PEER4, new Neighbours.Memo(n), b, 0), "IHL below 5");
    }

    @Test
    void arpRequestIsWellFormedAndTeachesTheReceiver() {
        MemorySegment buf = arena.allocate(128);
        int len = Frames.writeArpRequest(buf.address(), ME4, PEER4.lo());
        assertEquals(60, len);
        byte[] f = buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        assertEquals(0x0806, u16(f, 12));
        assertEquals(1, u16(f, 20), "request");
        assertEquals(0xFFFF_FFFF_FFFFL, Frames.mac(buf.address()));
        Neighbours n = new Neighbours();
        assertFalse(Frames.accept(buf.address(), len, PEER4, new Neighbours.Memo(n), PacketBatch.overNativeMemory(1, 100), 0));
        assertEquals(MAC_A, n.lookup(false, 0, ME4.lo()));
    }

    @Test
    void neighbourSolicitationChecksumVerifies() {
        MemorySegment buf = arena.allocate(128);
        int len = Frames.writeNeighbourSolicitation(buf.address(), ME6, PEER6.hi(), PEER6.lo());
        byte[] f = buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        assertEquals(0x3333_FF00_0002L, Frames.mac(buf.address()));
        assertEquals(135, f[54] & 0xFF);
        assertEquals(0xFFFF, slowSum(f, 54, 54 + 32, pseudo6(f, 14, 32, 58)));
        Neighbours n = new Neighbours();
        assertFalse(Frames.accept(buf.address(), len, PEER6, new Neighbours.Memo(n), PacketBatch.overNativeMemory(1, 100), 0));
        assertEquals(MAC_A, n.lookup(true, ME6.hi(), ME6.lo()));
    }

    @Test
    void neighboursAreBoundedAndUpdate() {
        Neighbours n = new Neighbours();
        n.learn(false, 0, 1, MAC_A);
        n.learn(false, 0, 1, MAC_B);
        assertEquals(MAC_B, n.lookup(false, 0, 1));
        assertEquals(-1, n.lookup(true, 0, 1), "IPv6 ::1 is not IPv4 0.0.0.1");
        n.learn(false, 0, 2, 0x0100_0000_0001L);
        assertEquals(-1, n.lookup(false, 0, 2), "a multicast source is not learned");
        for (int i = 0; i < Neighbours.MAX + 10; i++) {
            n.learn(true, 7, i, MAC_A);
        }
        assertEquals(Neighbours.MAX, n.size());
        assertTrue(n.refused() > 0);
    }
}

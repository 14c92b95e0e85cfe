package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SockAddrTest {

    @Test
    void ipv4IsWrittenInNetworkOrderAtTheOffset() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            int len = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1194), seg, 8);
            assertEquals(16, len);
            byte[] raw = seg.asSlice(8, 16).toArray(JAVA_BYTE);
            assertArrayEquals(new byte[] {2, 0, 0x04, (byte) 0xaa, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, raw);
            assertEquals(1194, SockAddr.port(seg, 8));
            assertEquals(0x0A000001, SockAddr.ipv4(seg, 8));
            assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1194), SockAddr.decode(seg, 8));
        }
    }

    @Test
    void encodeIpv4FromPrimitivesMatchesEncodeFromObject() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(16);
            MemorySegment b = arena.allocate(16);
            b.fill((byte) 0x55); // the padding must be cleared too
            SockAddr.encode(new InetSocketAddress(InetAddress.getByName("192.168.1.200"), 65535), a, 0);
            SockAddr.encodeIpv4(0xC0A801C8, 65535, b, 0);
            assertEquals(-1, a.mismatch(b));
            assertTrue(SockAddr.sameEndpoint(a, 0, b, 0));
        }
    }

    @Test
    void ipv6KeepsPortAddressAndScope() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(SockAddr.SOCKADDR_IN6);
            Inet6Address linkLocal = Inet6Address.getByAddress(null,
                    InetAddress.getByName("fe80::1").getAddress(), 3);
            InetSocketAddress in = new InetSocketAddress(linkLocal, 1194);
            assertEquals(28, SockAddr.encode(in, seg, 0));
            assertEquals(Sockets.AF_INET6, SockAddr.family(seg, 0));
            assertEquals(1194, SockAddr.port(seg, 0));
            assertEquals(0xfe80000000000000L, SockAddr.ipv6High(seg, 0));
            assertEquals(1L, SockAddr.ipv6Low(seg, 0));
            InetSocketAddress out = SockAddr.decode(seg, 0);
            assertEquals(in, out);
            assertEquals(3, ((Inet6Address) out.getAddress()).getScopeId());
        }
    }

    @Test
    void sameEndpointComparesFamilyPortAndAddress() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = SockAddr.allocate(arena, new InetSocketAddress(InetAddress.getByName("::1"), 5000));
            MemorySegment b = SockAddr.allocate(arena, new InetSocketAddress(InetAddress.getByName("::1"), 5000));
            MemorySegment c = SockAddr.allocate(arena, new InetSocketAddress(InetAddress.getByName("::2"), 5000));
            MemorySegment d = SockAddr.allocate(arena, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000));
            assertTrue(SockAddr.sameEndpoint(a, 0, b, 0));
            assertFalse(SockAddr.sameEndpoint(a, 0, c, 0));
            assertFalse(SockAddr.sameEndpoint(a, 0, d, 0));
            assertEquals(28, SockAddr.length(a, 0));
            assertEquals(16, SockAddr.length(d, 0));
        }
    }

    @Test
    void unresolvedAddressIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(SockAddr.SOCKADDR_IN6);
            assertThrows(IllegalArgumentException.class,
                    () -> SockAddr.encode(InetSocketAddress.createUnresolved("example.invalid", 1), seg, 0));
        }
    }
}

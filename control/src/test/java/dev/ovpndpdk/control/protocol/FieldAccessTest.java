package dev.ovpndpdk.control.protocol;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The typed accessors and the errors a server sends back as EINVAL. */
class FieldAccessTest {
    private final Message request = Message.request(Command.NEW_PEER, 1)
            .u64(PEER_ID, 0x1000000)
            .string(CIPHER, "AES-256-GCM")
            .bytes(VPN_IPV4, new byte[] {10, 0, 0})
            .nested(REMOTE, Fields.builder().string(ADDRESS, "192.0.2.1").u64(PORT, 70000).build())
            .nested(PEER, Fields.of(Field.u64(PEER_ID, 1)))
            .string(PEER, "not a nest")
            .build();

    private static String error(Executable e) {
        FieldException ex = assertThrows(FieldException.class, e::run);
        assertEquals(Errno.EINVAL, ex.errno());
        return ex.getMessage();
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void missingFieldIsNamed() {
        assertEquals("missing field slot", error(() -> request.u64(SLOT)));
        assertEquals("missing field remote.scope_id", error(() -> request.nested(REMOTE).u64(SCOPE_ID)));
    }

    @Test
    void wrongTypeSaysWhatWasExpectedAndWhatCame() {
        assertEquals("field cipher: expected u64, got string", error(() -> request.u64(CIPHER)));
        assertEquals("field peer_id: expected string, got u64", error(() -> request.optString(PEER_ID)));
        assertEquals("field remote.address: expected bytes, got string",
                error(() -> request.nested(REMOTE).bytes(ADDRESS)));
        assertEquals("field peer[1]: expected nested, got string", error(() -> request.allNested(PEER)));
    }

    @Test
    void rangesAndLengthsAreChecked() {
        assertEquals("field peer_id: 16777216 is out of range 0..16777215",
                error(() -> request.u64(PEER_ID, PEER_ID_MAX)));
        assertEquals("field vpn_ipv4: expected 4 bytes, got 3", error(() -> request.bytes(VPN_IPV4, 4)));
        assertEquals("field vpn_ipv4: expected 4 or 16 bytes, got 3",
                error(() -> request.optBytes(VPN_IPV4, 4, 16)));
        assertEquals("field vpn_ipv4: expected 16, 24 or 32 bytes, got 3",
                error(() -> request.bytes(VPN_IPV4, 16, 24, 32)));
    }

    @Test
    void unsignedValuesCompareUnsigned() throws Exception {
        Message m = Message.request(Command.PING, 1).u64("big", -1L).build();
        assertEquals("field big: 18446744073709551615 is out of range 0..16777215",
                error(() -> m.u64("big", PEER_ID_MAX)));
        assertEquals(-1L, m.u64("big", -1L));
    }

    @Test
    void handlersReportTheirOwnValueErrorsWithThePath() throws Exception {
        Fields remote = request.nested(REMOTE);
        assertEquals("field remote.port: must not be 0", remote.badValue(PORT, "must not be 0").getMessage());
    }

    @Test
    void sockAddrChecksItsParts() {
        assertEquals("field remote.address: expected bytes, got string",
                error(() -> SockAddrField.get(request.fields(), REMOTE)));
        Fields badPort = Fields.builder().bytes(ADDRESS, new byte[4]).u64(PORT, 70000).build();
        assertEquals("field port: 70000 is out of range 0..65535", error(() -> SockAddrField.fromFields(badPort)));
        Fields scopedV4 = Fields.builder().bytes(ADDRESS, new byte[4]).u64(PORT, 1).u64(SCOPE_ID, 3).build();
        assertEquals("field scope_id: a scope id needs a 16-byte address",
                error(() -> SockAddrField.fromFields(scopedV4)));
    }

    @Test
    void sockAddrKeepsTheScopeAndUnmapsMappedAddresses() throws Exception {
        byte[] linkLocal = Samples.ip("fe80::1").getAddress();
        InetSocketAddress a = SockAddrField.fromFields(Fields.builder()
                .bytes(ADDRESS, linkLocal).u64(PORT, 1194).u64(SCOPE_ID, 7).build());
        assertEquals(7, ((Inet6Address) a.getAddress()).getScopeId());
        assertEquals(a, SockAddrField.fromFields(SockAddrField.toFields(a)));
        InetSocketAddress m = SockAddrField.fromFields(Fields.builder()
                .bytes(ADDRESS, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2, 9})
                .u64(PORT, 1).build());
        assertInstanceOf(Inet4Address.class, m.getAddress());
        assertTrue(SockAddrField.isIpv4(m));
        assertEquals(4, SockAddrField.toFields(m).bytes(ADDRESS).length);
    }

    @Test
    void sockAddrRefusesAHostName() {
        assertThrows(IllegalArgumentException.class,
                () -> SockAddrField.toFields(InetSocketAddress.createUnresolved("vpn.example", 1194)));
    }

    @Test
    void prefixRefusesHostBitsAndLongLengths() {
        Fields hostBits = Fields.builder().bytes(ADDRESS, new byte[] {10, 1, 2, 3}).u64(PREFIX_LEN, 16).build();
        assertEquals("field address: host bits are set beyond the prefix length 16",
                error(() -> PrefixField.fromFields(hostBits)));
        Fields tooLong = Fields.builder().bytes(ADDRESS, new byte[4]).u64(PREFIX_LEN, 33).build();
        assertEquals("field prefix_len: 33 is out of range 0..32", error(() -> PrefixField.fromFields(tooLong)));
        assertThrows(IllegalArgumentException.class, () -> new PrefixField(Samples.ip("10.1.2.3"), 8));
    }

    @Test
    void prefixRoundTripsBothFamiliesAndEdgeLengths() throws Exception {
        for (PrefixField p : new PrefixField[] {
                new PrefixField(Samples.ip("0.0.0.0"), 0),
                new PrefixField(Samples.ip("10.1.2.3"), 32),
                new PrefixField(Samples.ip("10.1.2.128"), 25),
                new PrefixField(Samples.ip("::"), 0),
                new PrefixField(Samples.ip("2001:db8::"), 32),
                new PrefixField(Samples.ip("2001:db8::1"), 128)}) {
            assertEquals(p, PrefixField.fromFields(p.toFields()), p.toString());
        }
        assertEquals("10.1.2.128/25", new PrefixField(Samples.ip("10.1.2.128"), 25).toString());
    }

    @Test
    void invalidNamesCannotBeBuilt() {
        for (String bad : new String[] {"", "Peer_id", "peer-id", "peer id", "é", "a".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> Field.u64(bad, 1), bad);
        }
        Field.u64("a".repeat(63), 1);
        Field.u64("0_9", 1);
    }

    @Test
    void stringsThatCannotBeSentCannotBeBuilt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Field.string("s", "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> Field.string("s", "\uD800"));
        assertEquals("x y", Message.errorReply(1, 1, Errno.EINVAL, "x\0y").errorMessage().orElseThrow());
    }

    @Test
    void dropCountersNeedAValidReason() {
        assertEquals("drop_auth_failed", drop("auth_failed"));
        assertThrows(IllegalArgumentException.class, () -> drop(""));
        assertThrows(IllegalArgumentException.class, () -> drop("Auth"));
        assertThrows(IllegalArgumentException.class, () -> drop("x".repeat(59)));
    }

    @Test
    void errnoNamesAreReadable() {
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("EPROTONOSUPPORT", Errno.name(93));
        assertEquals("errno 4242", Errno.name(4242));
        assertEquals("errno 18446744073709551615", Errno.name(-1L));
    }
}

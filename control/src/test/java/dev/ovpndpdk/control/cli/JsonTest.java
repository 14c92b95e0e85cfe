package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.PrefixField;
import dev.ovpndpdk.control.protocol.SockAddrField;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JsonTest {
    private static String v6(String literal) {
        return Json.address(InetAddress.ofLiteral(literal).getAddress());
    }

    @Test
    void ipv6IsCompressedAsRfc5952Says() {
        assertEquals("fd00::2", v6("fd00:0:0:0:0:0:0:2"));
        assertEquals("::", v6("::"));
        assertEquals("::1", v6("::1"));
        assertEquals("fd00:0:1::", v6("fd00:0:1:0:0:0:0:0"));
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"), "one zero group stays");
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"), "the longer run wins");
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
        assertEquals("5.5.5.2", Json.address(new byte[] {5, 5, 5, 2}));
    }

    @Test
    void fieldsBecomeOneObjectWithAddressesAsTextAndEscapedStrings() {
        Fields f = Fields.builder()
                .u64(FieldNames.PEER_ID, 1)
                .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(InetAddress.ofLiteral("fd00::2"), 1194)))
                .bytes(FieldNames.VPN_IPV4, new byte[] {5, 5, 5, 2})
                .add(new PrefixField(InetAddress.ofLiteral("10.1.0.0"), 16).toField(FieldNames.PREFIX))
                .string(FieldNames.MESSAGE, "a \"quoted\"\nline")
                .u64("drop_replay", -1L)
                .build();
        assertEquals("{\"peer_id\":1,\"remote\":\"[fd00::2]:1194\",\"vpn_ipv4\":\"5.5.5.2\",\"prefix\":[\"10.1.0.0/16\"],"
                + "\"message\":\"a \\\"quoted\\\"\\nline\",\"drop_replay\":18446744073709551615}",
                Json.object().putAll(f).toString());
    }
}

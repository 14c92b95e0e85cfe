package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HostPortTest {
    @Test
    void ipv4AndBracketedIpv6WithPort() {
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("10.0.0.1"), 1194), HostPort.parse("10.0.0.1:1194"));
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("fd00::1"), 1194), HostPort.parse("[fd00::1]:1194"));
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("::"), 1), HostPort.parse("[::]:1"));
    }

    @Test
    void whatIsNotAnAddressAndPortIsRefusedWithAReason() {
        assertEquals("'fd00::1:1194' is not ADDR:PORT (write IPv6 as [ADDR]:PORT)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("fd00::1:1194")).getMessage());
        assertEquals("'example.com' is not an IP address",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("example.com:1194")).getMessage());
        assertEquals("bad port in '10.0.0.1:0' (1..65535)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("10.0.0.1:0")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[fd00::1]1194"));
    }

    @Test
    void vpnAddressesKeepTheirFamily() {
        assertEquals("5.5.5.2", new HostPort.Ipv4().convert("5.5.5.2").getHostAddress());
        assertThrows(IllegalArgumentException.class, () -> new HostPort.Ipv4().convert("fd00::2"));
        assertEquals("fd00:0:0:0:0:0:0:2", new HostPort.Ipv6().convert("fd00::2").getHostAddress());
        assertThrows(IllegalArgumentException.class, () -> new HostPort.Ipv6().convert("::ffff:1.2.3.4"));
    }
}

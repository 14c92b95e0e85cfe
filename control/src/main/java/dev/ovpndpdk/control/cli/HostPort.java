package dev.ovpndpdk.control.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import picocli.CommandLine.ITypeConverter;

/**
 * Transport addresses and IP addresses as operators write them: {@code 10.0.0.1:1194},
 * {@code [fd00::1]:1194}, {@code 5.5.5.2}, {@code fd00::2}. Literals only, never a DNS lookup:
 * a daemon's configuration must not depend on a resolver.
 */
public final class HostPort implements ITypeConverter<InetSocketAddress> {

    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    /** {@code ADDR:PORT} or {@code [V6]:PORT}. */
    public static InetSocketAddress parse(String s) {
        String t = s.trim();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + s + "' is not [IPV6]:PORT");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0 || t.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + s + "' is not ADDR:PORT (write IPv6 as [ADDR]:PORT)");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("bad port in '" + s + "' (1..65535)");
        }
        return new InetSocketAddress(ip(host), p);
    }

    /** An IPv4 or IPv6 literal. */
    public static InetAddress ip(String s) {
        try {
            return InetAddress.ofLiteral(s.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address");
        }
    }

    /** {@code --vpn-ipv4}. */
    public static final class Ipv4 implements ITypeConverter<Inet4Address> {
        @Override
        public Inet4Address convert(String value) {
            try {
                return Inet4Address.ofLiteral(value.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + value + "' is not an IPv4 address");
            }
        }
    }

    /** {@code --vpn-ipv6}. */
    public static final class Ipv6 implements ITypeConverter<Inet6Address> {
        @Override
        public Inet6Address convert(String value) {
            InetAddress a;
            try {
                a = Inet6Address.ofLiteral(value.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + value + "' is not an IPv6 address");
            }
            if (!(a instanceof Inet6Address v6)) {
                throw new IllegalArgumentException("'" + value + "' is an IPv4-mapped address, not IPv6");
            }
            return v6;
        }
    }
}

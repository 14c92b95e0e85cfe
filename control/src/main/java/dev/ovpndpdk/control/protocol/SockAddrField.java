package dev.ovpndpdk.control.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The sockaddr nest ({@code remote}, {@code local}) to and from {@link InetSocketAddress}:
 * <pre>
 *   address   BYTES 4 or 16   network byte order; the length is the family
 *   port      U64 0..65535    the port as a number (host order)
 *   scope_id  U64             optional, 16-byte addresses only (IPv6 link-local)
 * </pre>
 * if_ovpn's sockaddr nvlist also sends "af" and puts sin_port's raw network-order bytes in
 * "port" (spec §4.1); here the family follows from the length, and the port is the number a
 * person would write, so nothing depends on the sender's byte order.
 *
 * <p>An IPv4-mapped IPv6 address (::ffff:a.b.c.d) decodes to the IPv4 address, as Linux
 * converts it (spec §5.1). Decoding never does a DNS lookup.
 */
public final class SockAddrField {
    private SockAddrField() {
    }

    /** Java's scope id is an int, and Linux's ifindex too. */
    private static final long SCOPE_ID_MAX = Integer.MAX_VALUE;

    /** The nest for {@code address}, which must be resolved (an IP, not a host name). */
    public static Fields toFields(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        InetAddress ip = address.getAddress();
        Fields.Builder b = Fields.builder()
                .bytes(FieldNames.ADDRESS, ip.getAddress())
                .u64(FieldNames.PORT, address.getPort());
        if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            b.u64(FieldNames.SCOPE_ID, v6.getScopeId());
        }
        return b.build();
    }

    /** A NESTED field {@code name} holding {@code address}. */
    public static Field field(String name, InetSocketAddress address) {
        return Field.nested(name, toFields(address));
    }

    /** Reads a sockaddr nest; errors name the fields inside it ({@code remote.port}). */
    public static InetSocketAddress fromFields(Fields nest) throws FieldException {
        byte[] raw = nest.bytes(FieldNames.ADDRESS, 4, 16);
        long port = nest.u64(FieldNames.PORT, 0xFFFF);
        var scope = nest.optU64(FieldNames.SCOPE_ID, SCOPE_ID_MAX);
        InetAddress ip;
        try {
            if (scope.isPresent() && scope.getAsLong() != 0) {
                if (raw.length != 16) {
                    throw nest.badValue(FieldNames.SCOPE_ID, "a scope id needs a 16-byte address");
                }
                ip = Inet6Address.getByAddress(null, raw, (int) scope.getAsLong());
            } else {
                ip = InetAddress.getByAddress(raw);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length was checked", e);
        }
        return new InetSocketAddress(ip, (int) port);
    }

    /** The sockaddr in the NESTED field {@code name} of {@code parent}. */
    public static InetSocketAddress get(Fields parent, String name) throws FieldException {
        return fromFields(parent.nested(name));
    }

    public static Optional<InetSocketAddress> opt(Fields parent, String name) throws FieldException {
        Optional<Fields> nest = parent.optNested(name);
        return nest.isPresent() ? Optional.of(fromFields(nest.get())) : Optional.empty();
    }

    /** True for an IPv4 address, after the mapped-address conversion above. */
    public static boolean isIpv4(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address;
    }
}

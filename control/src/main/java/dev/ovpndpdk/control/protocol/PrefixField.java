package dev.ovpndpdk.control.protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * An IP prefix — an iroute of ADD_ROUTE / DEL_ROUTE / GET_PEER — and its nest:
 * <pre>
 *   address     BYTES 4 or 16   network byte order
 *   prefix_len  U64             0..32 or 0..128
 * </pre>
 * Host bits must be zero (10.1.0.0/16, not 10.1.2.3/16), as {@code ip route} insists: a
 * prefix then has exactly one spelling, and DEL_ROUTE finds what ADD_ROUTE added.
 */
public record PrefixField(InetAddress address, int prefixLen) {

    public PrefixField {
        Objects.requireNonNull(address, "address");
        String why = problem(address.getAddress(), prefixLen);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    public Fields toFields() {
        return Fields.builder()
                .bytes(FieldNames.ADDRESS, address.getAddress())
                .u64(FieldNames.PREFIX_LEN, prefixLen)
                .build();
    }

    /** A NESTED field {@code name} (usually {@link FieldNames#PREFIX}) holding this prefix. */
    public Field toField(String name) {
        return Field.nested(name, toFields());
    }

    public static PrefixField fromFields(Fields nest) throws FieldException {
        byte[] raw = nest.bytes(FieldNames.ADDRESS, 4, 16);
        long len = nest.u64(FieldNames.PREFIX_LEN, raw.length * 8L);
        String why = problem(raw, (int) len);
        if (why != null) {
            throw nest.badValue(FieldNames.ADDRESS, why);
        }
        try {
            // getByAddress would turn a mapped ::ffff:0:0/96 into IPv4; keep the family asked for.
            InetAddress ip = raw.length == 16
                    ? Inet6Address.getByAddress(null, raw, -1)
                    : InetAddress.getByAddress(raw);
            return new PrefixField(ip, (int) len);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length was checked", e);
        }
    }

    public static PrefixField get(Fields parent, String name) throws FieldException {
        return fromFields(parent.nested(name));
    }

    /** Every prefix named {@code name} (GET_PEER lists a peer's iroutes as repeated "prefix"). */
    public static List<PrefixField> all(Fields parent, String name) throws FieldException {
        List<Fields> nests = parent.allNested(name);
        PrefixField[] out = new PrefixField[nests.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fromFields(nests.get(i));
        }
        return List.of(out);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLen;
    }

    private static String problem(byte[] raw, int len) {
        int bits = raw.length * 8;
        if (len < 0 || len > bits) {
            return "prefix length " + len + " is out of range 0.." + bits;
        }
        for (int i = 0; i < raw.length; i++) {
            int keep = Math.clamp(len - i * 8L, 0, 8);
            int hostMask = 0xFF >>> keep;
            if ((raw[i] & hostMask) != 0) {
                return "host bits are set beyond the prefix length " + len;
            }
        }
        return null;
    }
}

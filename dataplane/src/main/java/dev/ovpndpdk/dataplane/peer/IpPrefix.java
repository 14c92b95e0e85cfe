package dev.ovpndpdk.dataplane.peer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix (an iroute: "this network lives behind that peer"), normalised so
 * the host bits are zero.
 */
public record IpPrefix(boolean ipv6, long hi, long lo, int length) {

    /** Parses {@code 10.1.0.0/16}, {@code fd00::/64}; a bare address is a host route. */
    public static IpPrefix parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress ip;
        try {
            if (addr.isEmpty() || !addr.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(addr);
            }
            ip = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP prefix: '" + s + "'");
        }
        int max = ip instanceof Inet4Address ? 32 : 128;
        int len;
        try {
            len = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + s + "'");
        }
        if (len < 0 || len > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + " in '" + s + "'");
        }
        return of(ip, len);
    }

    public static IpPrefix of(InetAddress ip, int length) {
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            long v = Remote.toInt(b, 0) & 0xFFFFFFFFL;
            return new IpPrefix(false, 0, v & mask4(length), length);
        }
        long hi = Remote.toLong(b, 0);
        long lo = Remote.toLong(b, 8);
        return new IpPrefix(true, hi & maskHi(length), lo & maskLo(length), length);
    }

    static long mask4(int len) {
        return len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
    }

    static long maskHi(int len) {
        return len >= 64 ? -1L : len == 0 ? 0 : -1L << (64 - len);
    }

    static long maskLo(int len) {
        return len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
    }

    public InetAddress address() {
        try {
            if (!ipv6) {
                int v = (int) lo;
                return InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            }
            byte[] b = new byte[16];
            Remote.putLong(b, 0, hi);
            Remote.putLong(b, 8, lo);
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return IpText.of(address()) + "/" + length;
    }
}

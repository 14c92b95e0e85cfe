package dev.ovpndpdk.dataplane.peer;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses as people write them: IPv6 compressed per RFC 5952, no scope suffix unless set. */
public final class IpText {
    private IpText() {
    }

    public static String of(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            String s = ipv6(a.getAddress());
            return v6.getScopeId() != 0 ? s + "%" + v6.getScopeId() : s;
        }
        return a.getHostAddress();
    }

    /** RFC 5952 §4: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
    public static String ipv6(byte[] v6) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (v6[2 * i] & 0xFF) << 8 | (v6[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}

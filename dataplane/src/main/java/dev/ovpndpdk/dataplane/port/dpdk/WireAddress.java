package dev.ovpndpdk.dataplane.port.dpdk;

/**
 * Who we are on the wire port, which the kernel no longer sees: the port's Ethernet address
 * and the transport address OpenVPN listens on (one IP version per daemon in DPDK mode).
 * The fast path answers only to UDP for this address and port; everything else goes to the
 * exception interface.
 *
 * @param mac  Ethernet address in the low 48 bits, first octet most significant
 * @param ipv6 whether the transport is IPv6
 * @param hi   IPv6 address, high 64 bits (0 for IPv4)
 * @param lo   IPv6 address, low 64 bits, or the IPv4 address in the low 32 bits
 * @param port UDP port
 */
public record WireAddress(long mac, boolean ipv6, long hi, long lo, int port) {

    /** The {@code aa:bb:cc:dd:ee:ff} form of a 48-bit MAC in a long. */
    public static String macText(long mac) {
        StringBuilder b = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (b.length() > 0) {
                b.append(':');
            }
            b.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return b.toString();
    }
}

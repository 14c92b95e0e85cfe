package dev.ovpndpdk.control.pcap;

import java.net.InetAddress;

/**
 * One UDP datagram found in a capture.
 *
 * @param frame     1-based record number in the file (Wireshark's "frame number")
 * @param seconds   capture time, seconds since the epoch
 * @param nanos     sub-second part in nanoseconds (microsecond captures: a multiple of 1000)
 * @param payload   the UDP payload as far as the capture holds it
 * @param truncated true when the capture holds less than the UDP header announces: the
 *                  snapshot length cut the frame, or it is the first of several IP fragments
 *                  (fragments are not reassembled)
 */
public record UdpDatagram(long frame, long seconds, int nanos,
                          InetAddress src, int srcPort, InetAddress dst, int dstPort,
                          byte[] payload, boolean truncated) {

    @Override
    public String toString() {
        return "frame " + frame + " " + endpoint(src, srcPort) + " > " + endpoint(dst, dstPort)
                + " " + payload.length + " bytes" + (truncated ? " (truncated)" : "");
    }

    private static String endpoint(InetAddress a, int port) {
        String h = a.getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }
}

package dev.ovpndpdk.control.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a classic pcap file of link type RAW (101): each record is a bare IPv4 or IPv6
 * packet, which is what a tunnel carries, so Wireshark and tcpdump read it with no fake
 * Ethernet header. Little-endian, as libpcap writes on x86. Timestamps are kept as given;
 * choose nanosecond resolution when the source capture had it, so nothing is rounded.
 */
public final class PcapWriter implements Closeable {
    public static final int LINKTYPE_RAW = 101;
    /** libpcap's MAXIMUM_SNAPLEN; readers reject records longer than the header's snaplen. */
    public static final int SNAPLEN = 262144;

    private final OutputStream out;
    private final boolean nanosecond;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long records;

    public static PcapWriter create(Path file, boolean nanosecond) throws IOException {
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        try {
            return new PcapWriter(os, nanosecond);
        } catch (IOException | RuntimeException e) {
            os.close();
            throw e;
        }
    }

    /** Writes the file header to {@code out}; the writer owns the stream from now on. */
    public PcapWriter(OutputStream out, boolean nanosecond) throws IOException {
        this.out = out;
        this.nanosecond = nanosecond;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4)
                .putShort((short) 2).putShort((short) 4)
                .putInt(0)              // thiszone: timestamps are UTC
                .putInt(0)              // sigfigs
                .putInt(SNAPLEN)
                .putInt(LINKTYPE_RAW);
        out.write(h.array());
    }

    /**
     * Appends one packet.
     *
     * @param nanos sub-second part in nanoseconds; truncated to microseconds in a microsecond file
     */
    public void write(long seconds, int nanos, byte[] packet, int off, int len) throws IOException {
        if (len > SNAPLEN) {
            throw new IOException("packet of " + len + " bytes exceeds the pcap snapshot length " + SNAPLEN);
        }
        if (seconds < 0 || seconds > 0xFFFFFFFFL || nanos < 0 || nanos >= 1_000_000_000) {
            throw new IllegalArgumentException("timestamp out of range for pcap: " + seconds + "." + nanos);
        }
        header.clear();
        header.putInt((int) seconds)
                .putInt(nanosecond ? nanos : nanos / 1000)
                .putInt(len)
                .putInt(len);
        out.write(header.array());
        out.write(packet, off, len);
        records++;
    }

    public long records() {
        return records;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

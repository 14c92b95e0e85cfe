package dev.ovpndpdk.control.pcap;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a classic libpcap file (not pcapng) record by record, streaming, so captures of any
 * size work in constant memory. Both byte orders and both timestamp resolutions (magic
 * {@code a1b2c3d4} microseconds, {@code a1b23c4d} nanoseconds) are accepted.
 *
 * <p>Strict about damage, because a silently shortened capture makes a decryption check
 * pass on less traffic than the user thinks: a record header or body that runs past the end
 * of the file is an error ("truncated record N at offset X"), not the end of the capture.
 * Every message starts with the file's name.
 *
 * <p>{@link #nextUdp()} walks the link layer, IP and UDP ({@link FrameDecoder}) and skips
 * frames that carry no UDP datagram.
 */
public final class PcapReader implements Closeable {
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;
    /** Far above any real snapshot length (libpcap's maximum is 256 KiB); guards allocation. */
    private static final int MAX_RECORD = 16 << 20;

    /** One record as stored: capture time, the length on the wire, and the captured bytes. */
    public record Frame(long number, long offset, long seconds, int nanos, int originalLength, byte[] data) {
    }

    private final InputStream in;
    private final String name;
    private final ByteOrder order;
    private final boolean nanosecond;
    private final int linkType;
    private final int snaplen;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER);
    private long offset;
    private long frames;

    /** Opens {@code file} and reads its header. */
    public static PcapReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new PcapReader(in, file.toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads the file header from {@code in}.
     *
     * @param name for messages, usually the file name
     * @throws IOException not a pcap file, pcapng, truncated header, unsupported link type
     */
    public PcapReader(InputStream in, String name) throws IOException {
        this.in = in;
        this.name = name;
        byte[] h = in.readNBytes(FILE_HEADER);
        offset = h.length;
        if (h.length < 4) {
            throw error("not a pcap file (" + h.length + " bytes, too short for a header)");
        }
        int magic = ByteBuffer.wrap(h, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        switch (magic) {
            case 0xa1b2c3d4 -> { order = ByteOrder.BIG_ENDIAN; nanosecond = false; }
            case 0xa1b23c4d -> { order = ByteOrder.BIG_ENDIAN; nanosecond = true; }
            case 0xd4c3b2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanosecond = false; }
            case 0x4d3cb2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanosecond = true; }
            case 0x0a0d0d0a -> throw error("pcapng is not supported, convert with editcap -F pcap");
            default -> throw error(String.format("not a pcap file (magic 0x%08x)", magic));
        }
        if (h.length < FILE_HEADER) {
            throw error("truncated pcap file header (" + h.length + " of " + FILE_HEADER + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(order);
        int major = b.getShort(4) & 0xFFFF;
        int minor = b.getShort(6) & 0xFFFF;
        if (major != 2) {
            throw error("unsupported pcap version " + major + "." + minor + " (expected 2.x)");
        }
        snaplen = b.getInt(16);
        // The upper bits of this field may carry FCS information; the link type is the low 16.
        linkType = b.getInt(20) & 0xFFFF;
        if (!FrameDecoder.supports(linkType)) {
            throw error("link type " + linkType + " is not supported (" + FrameDecoder.SUPPORTED + ")");
        }
    }

    public int linkType() {
        return linkType;
    }

    /** True when timestamps are nanoseconds (magic a1b23c4d); then write the output alike. */
    public boolean nanosecond() {
        return nanosecond;
    }

    public int snaplen() {
        return snaplen;
    }

    /** Records read so far. */
    public long frames() {
        return frames;
    }

    /**
     * The next record, or null at a clean end of file.
     *
     * @throws IOException when the file ends inside a record, or a length is absurd
     */
    public Frame nextFrame() throws IOException {
        long number = frames + 1;
        long at = offset;
        recordHeader.clear();
        int got = in.readNBytes(recordHeader.array(), 0, RECORD_HEADER);
        offset += got;
        if (got == 0) {
            return null;
        }
        if (got < RECORD_HEADER) {
            throw error("truncated record " + number + " at offset " + at
                    + " (record header: " + got + " of " + RECORD_HEADER + " bytes)");
        }
        ByteBuffer r = recordHeader.order(order);
        long seconds = r.getInt(0) & 0xFFFFFFFFL;
        long fraction = r.getInt(4) & 0xFFFFFFFFL;
        long captured = r.getInt(8) & 0xFFFFFFFFL;
        long original = r.getInt(12) & 0xFFFFFFFFL;
        if (captured > MAX_RECORD) {
            throw error("record " + number + " at offset " + at + ": captured length " + captured
                    + " is not plausible (corrupt file?)");
        }
        byte[] data = in.readNBytes((int) captured);
        offset += data.length;
        if (data.length < captured) {
            throw error("truncated record " + number + " at offset " + at
                    + " (" + data.length + " of " + captured + " bytes)");
        }
        frames = number;
        // Some writers put a whole second's worth (or more) in the fraction; carry it over.
        long unit = nanosecond ? 1_000_000_000L : 1_000_000L;
        seconds += fraction / unit;
        int nanos = (int) ((fraction % unit) * (nanosecond ? 1 : 1000));
        return new Frame(number, at, seconds, nanos, (int) Math.min(original, Integer.MAX_VALUE), data);
    }

    /** The next frame that carries a UDP datagram (IPv4 or IPv6), or null at end of file. */
    public UdpDatagram nextUdp() throws IOException {
        for (Frame f = nextFrame(); f != null; f = nextFrame()) {
            UdpDatagram d = FrameDecoder.udp(linkType, f);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private IOException error(String what) {
        return new IOException(name + ": " + what);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

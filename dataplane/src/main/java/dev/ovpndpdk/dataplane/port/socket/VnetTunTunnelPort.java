package dev.ovpndpdk.dataplane.port.socket;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.MsgHdr;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.port.offload.GroCoalescer;
import dev.ovpndpdk.dataplane.port.offload.GsoSegmenter;
import dev.ovpndpdk.dataplane.port.offload.VirtioNetHdr;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue of a multiqueue TUN device opened with {@code IFF_VNET_HDR} and offloads
 * (docs/socket-offloads.md): the kernel hands over TCP (and UDP) super-packets of up to
 * 64 KiB with one {@code read}, which {@link GsoSegmenter} cuts into MTU-sized packets, one
 * per batch slot; on the way back {@link GroCoalescer} merges the burst's in-sequence TCP
 * segments of a flow into one super-packet per {@code writev}. Both directions thus cost one
 * system call per ~40 packets of a bulk TCP flow instead of one per packet, and the host's
 * TCP stack sees large packets on both ends.
 */
public final class VnetTunTunnelPort implements TunnelPort {
    /** A super-packet is at most 64 KiB (tun's gso_max_size), plus its virtio_net_hdr. */
    private static final int STAGING = 128 << 10;
    private static final int ERRNO_SAMPLE = 256;
    private static final long IOV = MsgHdr.IOVEC.byteSize();
    private static final int HEADER_ROOM = 256;

    private final int fd;
    private final boolean coalesce;
    private final MemorySegment staging;
    private final MemorySegment scratch;
    private final MemorySegment noOffload;
    private final MemorySegment iov;
    private final GsoSegmenter segmenter = new GsoSegmenter();
    private final GroCoalescer coalescer;
    private final boolean[] written;
    private int unexaminedFailures;

    private final AtomicLong writeErrors = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong tooBig = new AtomicLong();
    private final AtomicLong superPacketsRead = new AtomicLong();
    private final AtomicLong superPacketsWritten = new AtomicLong();
    private final AtomicLong coalesceRefused = new AtomicLong();

    /** @param coalesce whether writes merge TCP segments (false: one packet per write) */
    VnetTunTunnelPort(int fd, int burst, boolean coalesce, Arena arena) {
        this.fd = fd;
        this.coalesce = coalesce;
        this.staging = arena.allocate(STAGING, 64);
        this.scratch = arena.allocate(HEADER_ROOM, 64);
        this.noOffload = arena.allocate(VirtioNetHdr.SIZE, 8);
        VirtioNetHdr.setNone(noOffload, 0);
        this.iov = arena.allocate(IOV * (burst + 1), 8); // a header, then one payload per segment
        this.coalescer = new GroCoalescer(burst);
        this.written = new boolean[burst];
    }

    /** Writes the kernel refused (a malformed packet: it checks the IP header). */
    public long writeErrors() {
        return writeErrors.get();
    }

    /** Reads whose virtio_net_hdr made no sense (dropped). */
    public long malformed() {
        return malformed.get();
    }

    /** Packets or segments longer than a packet buffer (dropped). */
    public long tooBig() {
        return tooBig.get();
    }

    /** Reads that were super-packets (more than one segment). */
    public long superPacketsRead() {
        return superPacketsRead.get();
    }

    /** Writes that carried more than one segment. */
    public long superPacketsWritten() {
        return superPacketsWritten.get();
    }

    /** Coalesced writes the kernel refused, then written segment by segment. */
    public long coalesceRefused() {
        return coalesceRefused.get();
    }

    @Override
    public int receive(PacketBatch b) {
        int n = 0;
        long buf = staging.address();
        while (n < b.capacity) {
            if (!segmenter.hasNext()) {
                int len = Fd.readNoErrno(fd, buf, STAGING);
                if (len < 0 && ++unexaminedFailures >= ERRNO_SAMPLE) {
                    unexaminedFailures = 0;
                    try {
                        len = Fd.read(fd, buf, STAGING); // throws on a real error
                    } catch (ErrnoException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                if (len < 0) {
                    break; // EAGAIN: queue empty
                }
                if (!segmenter.load(staging, 0, len)) {
                    malformed.incrementAndGet();
                    continue;
                }
                if (segmenter.segments() > 1) {
                    superPacketsRead.incrementAndGet();
                }
            }
            while (n < b.capacity && segmenter.hasNext()) {
                long off = b.slotBase(n) + PacketBatch.HEADROOM;
                int len = segmenter.next(b.memory, off, b.maxPacket());
                if (len < 0) {
                    tooBig.incrementAndGet();
                    segmenter.skip(); // its siblings are as long
                    break;
                }
                b.offset[n] = off;
                b.length[n] = len;
                n++;
            }
        }
        b.count = n;
        return n;
    }

    /**
     * Writes the burst, coalesced. Returns how many entries from the start were written: a
     * failed write stops the burst as in {@link TunTunnelPort}, and entries of earlier groups
     * beyond that point, though delivered, then count as not sent.
     */
    @Override
    public int send(PacketBatch b, int count) {
        long base = b.memory.address();
        if (!coalesce) {
            int sent = 0;
            while (sent < count && writeOne(base, b, sent)) {
                sent++;
            }
            return sent;
        }
        int groups = coalescer.plan(b.memory, b.offset, b.length, count);
        for (int i = 0; i < count; i++) {
            written[i] = false;
        }
        for (int g = 0; g < groups; g++) {
            int h = coalescer.first(g);
            boolean ok;
            if (coalescer.segments(g) == 1) {
                ok = writeOne(base, b, h);
            } else {
                ok = writeGroup(base, b, g);
            }
            if (!ok) {
                break;
            }
        }
        int sent = 0;
        while (sent < count && written[sent]) {
            sent++;
        }
        return sent;
    }

    private boolean writeOne(long base, PacketBatch b, int e) {
        setIov(0, noOffload.address(), VirtioNetHdr.SIZE);
        setIov(1, base + b.offset[e], b.length[e]);
        try {
            if (Fd.writev(fd, iov.address(), 2) < 0) {
                return false; // EAGAIN: the host is not reading; the rest is TX_FULL
            }
        } catch (ErrnoException ex) {
            writeErrors.incrementAndGet(); // e.g. EINVAL for a malformed packet: dropped
            return false;
        }
        written[e] = true;
        return true;
    }

    private boolean writeGroup(long base, PacketBatch b, int g) {
        int k = 0;
        setIov(k++, scratch.address(), coalescer.writeHeader(g, scratch, 0));
        for (int e = coalescer.first(g); e >= 0; e = coalescer.nextMember(e)) {
            int hl = coalescer.headerLength(e);
            setIov(k++, base + b.offset[e] + hl, b.length[e] - hl);
        }
        try {
            if (Fd.writev(fd, iov.address(), k) < 0) {
                return false;
            }
        } catch (ErrnoException ex) {
            // Should not happen; if this kernel refuses the merged form, the segments still go.
            coalesceRefused.incrementAndGet();
            for (int e = coalescer.first(g); e >= 0; e = coalescer.nextMember(e)) {
                if (!writeOne(base, b, e)) {
                    return false;
                }
            }
            return true;
        }
        superPacketsWritten.incrementAndGet();
        for (int e = coalescer.first(g); e >= 0; e = coalescer.nextMember(e)) {
            written[e] = true;
        }
        return true;
    }

    private void setIov(int k, long address, long length) {
        long o = k * IOV;
        iov.set(ValueLayout.JAVA_LONG, o + MsgHdr.IOV_BASE, address);
        iov.set(ValueLayout.JAVA_LONG, o + MsgHdr.IOV_LEN, length);
    }

    @Override
    public int pollFd() {
        return fd;
    }

    @Override
    public void close() {
        // The fd belongs to the TunDevice, which closes all queues together.
    }
}

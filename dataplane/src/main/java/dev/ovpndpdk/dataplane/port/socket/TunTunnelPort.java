package dev.ovpndpdk.dataplane.port.socket;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;

import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue of a multiqueue TUN device ({@code IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE}): the
 * kernel spreads flows over the queues, one per worker. TUN has no batch read or write, so
 * this is one {@code read}/{@code write} per packet — the socket backend's main cost, and the
 * reason the DPDK backend exists.
 */
public final class TunTunnelPort implements TunnelPort {
    private final int fd;
    private final AtomicLong writeErrors = new AtomicLong();
    /** Empty reads since errno was last examined (the binding's errno sampling, MmsgBatch.ERRNO_SAMPLE). */
    private int unexaminedFailures;
    private static final int ERRNO_SAMPLE = 256;

    TunTunnelPort(int fd) {
        this.fd = fd;
    }

    public long writeErrors() {
        return writeErrors.get();
    }

    @Override
    public int receive(PacketBatch b) {
        long base = b.memory.address();
        int n = 0;
        try {
            while (n < b.capacity) {
                long off = b.slotBase(n) + PacketBatch.HEADROOM;
                int len = Fd.readNoErrno(fd, base + off, b.maxPacket());
                if (len < 0 && ++unexaminedFailures >= ERRNO_SAMPLE) {
                    unexaminedFailures = 0;
                    len = Fd.read(fd, base + off, b.maxPacket()); // throws on a real error
                }
                if (len < 0) {
                    break; // EAGAIN: queue empty
                }
                b.offset[n] = off;
                b.length[n] = len;
                n++;
            }
        } catch (ErrnoException e) {
            throw new UncheckedIOException(e);
        }
        b.count = n;
        return n;
    }

    @Override
    public int send(PacketBatch b, int count) {
        long base = b.memory.address();
        int sent = 0;
        for (int i = 0; i < count; i++) {
            try {
                if (Fd.write(fd, base + b.offset[i], b.length[i]) < 0) {
                    break; // EAGAIN: the host is not reading; the rest is TX_FULL
                }
                sent++;
            } catch (ErrnoException e) {
                // e.g. EINVAL for a malformed packet (the kernel checks the IP header): drop it.
                writeErrors.incrementAndGet();
                return sent;
            }
        }
        return sent;
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

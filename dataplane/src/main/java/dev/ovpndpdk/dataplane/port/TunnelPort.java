package dev.ovpndpdk.dataplane.port;

/**
 * One worker's queue on the tunnel side: plaintext IP packets to and from the host (a TUN
 * queue in socket mode, DPDK's net_tun in DPDK mode, a ring in memory mode). Never blocks.
 */
public interface TunnelPort extends AutoCloseable {

    /**
     * Receives up to {@code batch.capacity} IP packets, each at {@code slotBase(i) + HEADROOM}.
     * Sets {@code batch.count}.
     */
    int receive(PacketBatch batch);

    /**
     * Writes entries {@code [0, count)} (IP packets at {@code offset[i]}) to the host. The
     * entries are the port's from then on, as with {@link WirePort#send}.
     *
     * @return how many were accepted
     */
    int send(PacketBatch batch, int count);

    /** A file descriptor to wait on when idle, or -1. */
    default int pollFd() {
        return -1;
    }

    @Override
    void close();
}

package dev.ovpndpdk.dataplane.port;

/**
 * One worker's queue on the transport side: UDP payloads in and out (a NIC queue in DPDK
 * mode, a UDP socket in socket mode, a ring in memory mode). Every call moves a burst with
 * one system or native call where the backend allows (fast-path rule 1) and never blocks.
 */
public interface WirePort extends AutoCloseable {

    /**
     * Receives up to {@code batch.capacity} datagrams into the batch's slots, payload at
     * {@code slotBase(i) + HEADROOM}, with the source address. Sets {@code batch.count}.
     *
     * @return the number received, 0 when nothing is waiting
     */
    int receive(PacketBatch batch);

    /**
     * Sends entries {@code [0, count)} of the batch to their addresses. The entries are the
     * port's from then on, whatever happens to them: an entry it refuses for a reason of its
     * own it frees and marks in {@code batch.txDrop}.
     *
     * @return how many were accepted; the caller counts the rest as {@code TX_FULL}
     */
    int send(PacketBatch batch, int count);

    /**
     * Hands entry {@code i} unchanged, with its source, to the OpenVPN process (the slow
     * path: control channel and everything that is not ours). The entry is the port's from
     * then on, whatever it returns.
     *
     * @return false when this port has no slow path, or has one that could not take the
     *         packet — then it marks {@code batch.txDrop[i]} with the reason (a full queue:
     *         {@code TX_FULL}); the caller counts a drop either way
     */
    boolean toSlowPath(PacketBatch batch, int i);

    /**
     * Where the worker puts the entries of its batches it drops or consumes: their buffers go
     * back to this backend's pool. The same for both batches of a worker (the tunnel port of
     * a backend receives into the same kind of buffer).
     */
    default Discards discards() {
        return Discards.NONE;
    }

    /**
     * The batches a worker uses with this port (both directions). Zero-copy ports return
     * {@link PacketBatch#overNativeMemory} batches; the tunnel port of the same backend must
     * understand them too.
     */
    default PacketBatch newBatch(java.lang.foreign.Arena arena, int capacity, int slotSize) {
        return new PacketBatch(arena, capacity, slotSize);
    }

    /** A file descriptor to wait on when idle, or -1 (busy-polled ports). */
    default int pollFd() {
        return -1;
    }

    @Override
    void close();
}

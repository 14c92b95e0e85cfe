package dev.ovpndpdk.dataplane.port;

/**
 * Where a worker puts the packets it drops or consumes, so that their buffers go back to
 * the port's pool. Every entry of a burst ends with one disposition (ARCHITECTURE.md, "The
 * picture"): delivered ({@link TunnelPort#send}), sent ({@link WirePort#send}), handed to the
 * slow path ({@link WirePort#toSlowPath}), in flight in an async crypto engine, or dropped
 * with a reason — and a dropped one is put here on the line that counts the reason.
 *
 * <p>Buffers return with one call per pass (fast-path rule 1): {@link #add} collects,
 * {@link #flush} returns them; the worker flushes at the end of every pass, and an
 * implementation flushes by itself when it is full.
 */
public interface Discards {

    /**
     * The packet in buffer {@code handle} ({@link PacketBatch#handle} of its entry) is dropped
     * or consumed: the buffer is no longer the worker's. 0 — a packet in a batch's own slot —
     * has nothing to return.
     */
    void add(long handle);

    /** Returns every buffer added since the last flush to its pool. */
    void flush();

    /**
     * For ports whose packets live in the batch's own slots (socket, memory): the worker reuses
     * the slot with the next burst, and there is nothing to return.
     */
    Discards NONE = new Discards() {
        @Override
        public void add(long handle) {
        }

        @Override
        public void flush() {
        }
    };
}

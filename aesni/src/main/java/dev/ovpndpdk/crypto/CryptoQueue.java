package dev.ovpndpdk.crypto;

/**
 * One worker's queue on an {@link AsyncAeadEngine} (a cryptodev queue pair, a qatlib
 * instance). Single-threaded: only its worker calls it. Never blocks, never allocates.
 *
 * <p>Ordering: {@link #poll} returns completions in the order the requests were submitted.
 * An engine whose device may finish out of order restores the order before it reports, so a
 * flow is never reordered by the offload.
 */
public interface CryptoQueue extends AutoCloseable {

    /**
     * Submits entries {@code [0, n)} of {@code r} with one doorbell.
     *
     * @return how many the engine took: the first ones. The rest did not fit (the queue holds
     *         {@link #depth()} requests in flight); they stay the caller's, untouched.
     */
    int submit(CryptoRequests r, int n);

    /**
     * Collects finished requests, at most {@code c.capacity}, in submit order.
     *
     * @return how many entries of {@code c} were filled
     */
    int poll(CryptoCompletions c);

    /** Requests submitted and not yet returned by {@link #poll}. */
    int inFlight();

    int depth();

    /**
     * Counters of this queue since it was made: requests submitted, completed, refused
     * because the queue was full ({@code busy}), and completed with {@link CryptoCompletions#ERROR}.
     */
    long submitted();

    long completed();

    long busy();

    long failed();

    /**
     * Waits (bounded, polling) for what is in flight and discards it: for shutdown. The packets'
     * buffers are the caller's again once this returns.
     *
     * @return how many requests were discarded
     */
    int drain(CryptoCompletions c);

    @Override
    void close();
}

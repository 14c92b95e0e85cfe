package dev.ovpndpdk.crypto;

import java.lang.foreign.MemorySegment;

/**
 * An AEAD engine of the asynchronous shape (ARCHITECTURE.md, "Crypto backends"): a worker
 * submits a burst of packets to its own {@link CryptoQueue} and collects the completions on a
 * later pass, while the engine (a QAT device, a DPDK cryptodev, a scheduler's worker core)
 * does the work. Engines: DPDK cryptodev and qatlib, in {@code qat/}.
 *
 * <p>Unlike {@link AeadEngine} this shape knows OpenVPN's P_DATA_V2 layout, because an
 * offload must be told every address of a packet at submit time and the layout fixes them
 * all (spec §1.3, async-crypto.md §3): for a request whose header is at {@code h},
 * <ul>
 * <li>AAD = the 8 bytes {@code [h, h+8)} (opcode/key-id/peer-id and packet-id), copied by the
 *     engine into a zero-padded slot of its own — QAT writes the pad, and the 8 bytes after
 *     the AAD are the tag;</li>
 * <li>nonce = packet-id ({@code [h+4, h+8)}) ‖ the key's 8-byte nonce tail;</li>
 * <li>tag = {@code [h+8, h+24)}, before the ciphertext, read or written through the engine's
 *     digest address;</li>
 * <li>data = {@code [h+24, h+24+length)}, encrypted or decrypted in place.</li>
 * </ul>
 * The worker writes the header and packet-id before it submits an encryption.
 *
 * <p>An engine is shared by all workers; each worker has its own queue (one cryptodev queue
 * pair, one qatlib instance). Keys are shared by all queues.
 */
public interface AsyncAeadEngine extends AutoCloseable {

    /** Short name for logs and {@code --crypto}: {@code cryptodev} or {@code qat}. */
    String name();

    /** One line for the start-up log: the device or library, its driver, its queues. */
    String describe();

    boolean supports(CipherAlg alg);

    /**
     * A session for one key in one direction. The key bytes are copied into the engine's
     * memory and never logged.
     *
     * @param key       exactly {@code alg.keyLength()} bytes
     * @param nonceTail the 8 bytes after the packet-id in every nonce of this key
     * @param encrypt   true for the sending direction (seal), false for the receiving (open)
     * @throws IllegalArgumentException for a wrong length or an unsupported cipher
     * @throws IllegalStateException    when the engine has no room for another session
     */
    AsyncAeadKey newKey(CipherAlg alg, MemorySegment key, MemorySegment nonceTail, boolean encrypt);

    /**
     * The queue of worker {@code worker}, at most {@code depth} requests in flight — fewer where
     * the device holds fewer ({@link CryptoQueue#depth()} says). Called once per worker, before
     * traffic; the queue is then used by that worker's thread only.
     *
     * @throws IllegalArgumentException when the engine has fewer queues than workers
     */
    CryptoQueue newQueue(int worker, int depth);

    /** Stops the device and frees what the engine holds; every queue and key is closed first. */
    @Override
    void close();
}

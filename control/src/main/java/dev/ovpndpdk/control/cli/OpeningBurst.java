package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CryptoCompletions;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CryptoRequests;
import dev.ovpndpdk.dataplane.proto.Plaintext;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * decrypt-pcap's data packets opened on an asynchronous engine ({@code --crypto cryptodev|qat}),
 * a burst of up to {@link #SIZE} in flight at a time. Each packet is copied into a native buffer
 * of its own, submitted with the receive session of the key line and direction its key-id stands
 * for when it is added, and the burst is polled until every request completed. The command then
 * takes the packets in capture order: a packet whose first try failed, or was made before an
 * earlier packet of the burst moved its key-id to another line, is opened again alone
 * ({@link #open}), with the queue empty — so the candidates are tried in exactly the order and
 * against exactly the key state of the synchronous path.
 */
final class OpeningBurst implements AutoCloseable {
    /** Packets in flight at once: the data plane's burst (DPDK's l3fwd, ipsec-secgw). */
    static final int SIZE = 32;
    /** The largest UDP payload, rounded up, as the synchronous path's buffer. */
    private static final int BUFFER = 65536;
    /** A software PMD finishes within one poll; QAT within microseconds. Longer is a stuck device. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String engineName;
    private final KeyGenerations keys;
    private final CryptoQueue queue;
    private final CryptoRequests requests = new CryptoRequests(SIZE);
    private final CryptoCompletions completions = new CryptoCompletions(SIZE);
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment[] buffer = new MemorySegment[SIZE];

    // per packet of the burst: its bytes, and the try whose outcome its buffer holds (line 0: none)
    private final byte[][] payload = new byte[SIZE][];
    private final int[] line = new int[SIZE];
    private final Role[] receiver = new Role[SIZE];
    private final byte[] status = new byte[SIZE];
    private int size;

    OpeningBurst(AsyncAeadEngine engine, KeyGenerations keys) {
        this.engineName = engine.describe();
        this.keys = keys;
        this.queue = engine.newQueue(0, SIZE);
        for (int i = 0; i < SIZE; i++) {
            buffer[i] = arena.allocate(BUFFER, 64);
        }
    }

    boolean isFull() {
        return size == SIZE;
    }

    int size() {
        return size;
    }

    /**
     * Adds a P_DATA_V2 payload of at least {@link Wire#DATA_V2_MIN_LENGTH} bytes, to be opened
     * with key {@code line} as {@code role} receives it.
     *
     * @return its index in the burst
     */
    int add(byte[] p, int line, Role role) {
        int i = size++;
        payload[i] = p;
        load(i, line, role);
        return i;
    }

    /** Submits what was added and polls until every request completed. */
    void complete() {
        run(0, size);
    }

    /**
     * The outcome of opening packet {@code i} with key {@code line} as {@code role} receives it:
     * the first try's, when that was this key, else a try made now, alone. After {@link Verdict#OK},
     * {@link Verdict#PING}, {@link Verdict#OCC_EXIT} or {@link Verdict#NOT_IP} the plaintext is in
     * {@link #packet}, as {@code DataChannel.open} leaves it.
     */
    Verdict open(int i, int line, Role role) {
        if (this.line[i] != line || receiver[i] != role) {
            load(i, line, role);
            run(i, i + 1);
        }
        return switch (status[i]) {
            case CryptoCompletions.OK -> Plaintext.classify(buffer[i], Wire.CIPHERTEXT_OFFSET,
                    payload[i].length - Wire.CIPHERTEXT_OFFSET);
            case CryptoCompletions.AUTH_FAILED -> Verdict.AUTH_FAILED;
            default -> throw new IllegalStateException(engineName + ": device error opening a packet"
                    + " (not an authentication failure)");
        };
    }

    /** Packet {@code i} in its native buffer: the header, then the plaintext once opened. */
    MemorySegment packet(int i) {
        return buffer[i];
    }

    /** Forgets the burst's packets; their sessions stay with the key generations. */
    void clear() {
        requests.clearKeys(SIZE);
        Arrays.fill(payload, 0, size, null);
        size = 0;
    }

    private void load(int i, int line, Role role) {
        MemorySegment.copy(payload[i], 0, buffer[i], ValueLayout.JAVA_BYTE, 0, payload[i].length);
        this.line[i] = line;
        receiver[i] = role;
    }

    /** Submits packets {@code [from, to)} and polls until all of them completed. */
    private void run(int from, int to) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        int sent = from;
        int done = from;
        while (done < to) {
            if (sent < to) {
                int n = to - sent;
                for (int k = 0; k < n; k++) {
                    int i = sent + k;
                    AsyncAeadKey key = keys.slot(line[i], receiver[i]).asyncDecrypt();
                    requests.key[k] = key;
                    requests.header[k] = buffer[i].address();
                    requests.length[k] = payload[i].length - Wire.CIPHERTEXT_OFFSET;
                    requests.mbuf[k] = 0; // plain native memory: the engine wraps it
                    requests.cookie[k] = i;
                }
                sent += queue.submit(requests, n); // fewer when the device is full: the rest next round
            }
            int got = queue.poll(completions);
            for (int k = 0; k < got; k++) {
                status[completions.cookie[k]] = completions.status[k];
            }
            done += got;
            if (got == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(engineName + ": " + (sent - done) + " of " + (to - from)
                            + " requests not completed after " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s");
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Waits for anything still at the device (after an exception) and closes the queue, so the
     * sessions can be removed after this: the grace period of {@link AsyncAeadKey#close()}.
     */
    @Override
    public void close() {
        queue.close(); // drains first
        if (queue.inFlight() == 0) {
            arena.close();
        } // else the device may still write the buffers: leave them, the process is ending
    }
}

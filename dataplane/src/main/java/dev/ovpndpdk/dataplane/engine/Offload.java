package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AsyncAeadEngine;

/**
 * How the workers use an asynchronous crypto engine (ARCHITECTURE.md, "Crypto backends").
 *
 * @param engine  the engine; the caller opens and closes it, the workers' queues are the engine's
 * @param depth   packets at most in flight per worker, a power of two
 * @param minSize packets shorter than this (bytes on the wire for decryption, plaintext for
 *                encryption) stay in software on the worker's core: an offload request has a
 *                fixed cost that a small packet does not repay
 */
public record Offload(AsyncAeadEngine engine, int depth, int minSize) {
    public static final int DEFAULT_DEPTH = 256;
    /** See docs/crypto-offload.md, "The size threshold", for the measurement behind it. */
    public static final int DEFAULT_MIN_SIZE = 0;

    public Offload {
        if (engine == null) {
            throw new IllegalArgumentException("no engine");
        }
        check(depth, minSize);
    }

    /** @throws IllegalArgumentException naming the option ({@code --crypto-depth}, {@code --crypto-min-size}) */
    public static void check(int depth, int minSize) {
        if (depth < 1 || depth > 65536 || Integer.bitCount(depth) != 1) {
            throw new IllegalArgumentException("--crypto-depth must be a power of two from 1 to 65536, got " + depth);
        }
        if (minSize < 0) {
            throw new IllegalArgumentException("--crypto-min-size must be >= 0, got " + minSize);
        }
    }
}

package dev.ovpndpdk.crypto;

/**
 * A burst of requests for {@link CryptoQueue#submit}, struct-of-arrays and reused for ever by
 * its worker (fast-path rule 2: no object per packet). Entry {@code i} asks to seal or open, in
 * place, the P_DATA_V2 packet whose header is at absolute address {@code header[i]} (layout in
 * {@link AsyncAeadEngine}) with {@code length[i]} bytes of data after the 24-byte header.
 */
public final class CryptoRequests {
    public final int capacity;
    /** The key, whose direction says seal or open. */
    public final AsyncAeadKey[] key;
    /** Absolute address of the packet's first byte (opcode/key-id). */
    public final long[] header;
    /** Bytes of plaintext or ciphertext after the 24-byte header (tag excluded). */
    public final int[] length;
    /**
     * The {@code rte_mbuf *} the packet lives in, or 0 for a packet in other native memory
     * (the socket backend's slots). Engines that need an mbuf (cryptodev) wrap other memory
     * themselves.
     */
    public final long[] mbuf;
    /** The caller's name for the request, returned with its completion (its in-flight slot). */
    public final int[] cookie;

    public CryptoRequests(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.key = new AsyncAeadKey[capacity];
        this.header = new long[capacity];
        this.length = new int[capacity];
        this.mbuf = new long[capacity];
        this.cookie = new int[capacity];
    }

    /** Forgets the keys of entries {@code [0, n)} so a closed key is not kept reachable. */
    public void clearKeys(int n) {
        java.util.Arrays.fill(key, 0, n, null);
    }
}

package dev.ovpndpdk.crypto;

/**
 * What {@link CryptoQueue#poll} found done: entry {@code i} is the request submitted with
 * {@code cookie[i]}, finished with {@code status[i]}. Reused for ever by its worker.
 */
public final class CryptoCompletions {
    /** Sealed, or opened with the tag verified: the packet may go on. */
    public static final byte OK = 0;
    /** Opened, but the tag did not match: the data bytes are garbage and the packet must be dropped. */
    public static final byte AUTH_FAILED = 1;
    /** The engine could not do it (bad session, device error): drop, counted apart from auth failures. */
    public static final byte ERROR = 2;

    public final int capacity;
    public final int[] cookie;
    public final byte[] status;

    public CryptoCompletions(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.cookie = new int[capacity];
        this.status = new byte[capacity];
    }
}

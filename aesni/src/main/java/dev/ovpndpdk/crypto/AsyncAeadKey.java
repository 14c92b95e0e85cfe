package dev.ovpndpdk.crypto;

/**
 * One key in one direction on an {@link AsyncAeadEngine}: a cryptodev or qatlib session plus
 * the nonce tail. Read-only once made, so any queue may use it.
 *
 * <p>{@link #close()} removes the session and zeroes the key bytes the engine holds. A session
 * must not be removed while a request that uses it is in flight (qatlib forbids it, a cryptodev
 * would read freed memory): the caller closes a key only after every queue that used it has
 * completed everything submitted before the key was unlinked — the grace period.
 */
public interface AsyncAeadKey extends AutoCloseable {

    CipherAlg alg();

    boolean encrypt();

    /** Idempotent. */
    @Override
    void close();
}

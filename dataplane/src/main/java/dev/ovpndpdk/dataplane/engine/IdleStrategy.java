package dev.ovpndpdk.dataplane.engine;

/**
 * What a worker does after each pass over its queues (Agrona's {@code IdleStrategy} shape): after
 * a pass that found work, return at once; after passes that found none, wait a little, in a way
 * that depends on the strategy. One instance per worker thread, never shared: strategies keep
 * their back-off state in plain fields.
 */
public interface IdleStrategy {
    /** Called after every pass with the packets it handled; may spin, yield or sleep when 0. */
    void idle(int workCount);

    /** For the worker's start-up line: what this strategy does when idle. */
    String describe();
}

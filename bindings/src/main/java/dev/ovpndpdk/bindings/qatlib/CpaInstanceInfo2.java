package dev.ovpndpdk.bindings.qatlib;

/**
 * The two fields of {@code CpaInstanceInfo2} (932 B, {@code cpa_cy_im.h}) the engine reads
 * (async-crypto.md §1.2 step 3): the NUMA node to allocate the instance's memory on, and whether
 * the instance is polled (the data-plane API completes only on polled instances).
 */
public final class CpaInstanceInfo2 {
    private CpaInstanceInfo2() {
    }

    public static final long SIZE = 932;
    /** {@code Cpa32U nodeAffinity}. */
    public static final long nodeAffinity$OFFSET = 912;
    /** {@code CpaBoolean isPolled}. */
    public static final long isPolled$OFFSET = 924;
}

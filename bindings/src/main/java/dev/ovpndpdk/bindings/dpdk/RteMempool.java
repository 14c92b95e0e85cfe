package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code rte_mempool.h}: what we need of a pool besides mbufs — its counts (the leak check in
 * tests and the "no buffer" diagnostics) and freeing it. Pools are {@code long} addresses.
 */
public final class RteMempool {

    /** {@code RTE_MEMPOOL_CACHE_MAX_SIZE}: the largest per-lcore cache. */
    public static final int RTE_MEMPOOL_CACHE_MAX_SIZE = 512;

    private static final MethodHandle RTE_MEMPOOL_FREE = Dpdk.downcall("rte_mempool_free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle RTE_MEMPOOL_AVAIL_COUNT = Dpdk.critical("rte_mempool_avail_count",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle RTE_MEMPOOL_IN_USE_COUNT = Dpdk.critical("rte_mempool_in_use_count",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle RTE_MEMPOOL_LOOKUP = Dpdk.downcall("rte_mempool_lookup",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS));

    private RteMempool() {
    }

    /** {@code void rte_mempool_free(struct rte_mempool *mp)}: every object must be back; 0 is a no-op. */
    public static void rte_mempool_free(long mp) {
        try {
            RTE_MEMPOOL_FREE.invokeExact(mp);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_mempool_avail_count(mp)}: free objects, in the ring and in every lcore cache. */
    public static int rte_mempool_avail_count(long mp) {
        try {
            return (int) RTE_MEMPOOL_AVAIL_COUNT.invokeExact(mp);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_mempool_in_use_count(mp)}: objects handed out (size minus available). */
    public static int rte_mempool_in_use_count(long mp) {
        try {
            return (int) RTE_MEMPOOL_IN_USE_COUNT.invokeExact(mp);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code struct rte_mempool *rte_mempool_lookup(const char *name)}: 0 with {@code rte_errno} ENOENT if none. */
    public static long rte_mempool_lookup(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_MEMPOOL_LOOKUP.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

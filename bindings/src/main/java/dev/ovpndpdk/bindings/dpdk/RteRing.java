package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code rte_ring.h}: DPDK's lock-free pointer rings, for hand-offs between lcores (the slow
 * path, the exception port) and for {@code net_ring} test ports. Create and free are library
 * calls; enqueue, dequeue and the counts are {@code static inline} and come from the shim. Object
 * tables ({@code void **}) are {@code long} addresses of native {@code long[]}s.
 */
public final class RteRing {

    /** The default enqueue is single-producer. */
    public static final int RING_F_SP_ENQ = 0x0001;
    /** The default dequeue is single-consumer. */
    public static final int RING_F_SC_DEQ = 0x0002;
    /** {@code count} is the exact capacity, not a power of two minus one. */
    public static final int RING_F_EXACT_SZ = 0x0004;

    private static final MethodHandle RTE_RING_CREATE = Dpdk.downcall("rte_ring_create",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle RTE_RING_FREE = Dpdk.downcall("rte_ring_free", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle RTE_RING_LOOKUP = Dpdk.downcall("rte_ring_lookup", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle OVD_RING_ENQUEUE_BURST = Dpdk.critical("ovd_ring_enqueue_burst",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_RING_DEQUEUE_BURST = Dpdk.critical("ovd_ring_dequeue_burst",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_RING_COUNT = Dpdk.critical("ovd_ring_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle OVD_RING_FREE_COUNT = Dpdk.critical("ovd_ring_free_count",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));

    private RteRing() {
    }

    /**
     * {@code struct rte_ring *rte_ring_create(name, count, socket_id, flags)}: {@code count} a power
     * of two (capacity {@code count - 1}) unless {@link #RING_F_EXACT_SZ}. Returns 0 with
     * {@code rte_errno} set on failure (EEXIST: the name is taken).
     */
    public static long rte_ring_create(String name, int count, int socketId, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_RING_CREATE.invokeExact(a.allocateFrom(name), count, socketId, flags);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code void rte_ring_free(struct rte_ring *r)}; 0 is a no-op. */
    public static void rte_ring_free(long r) {
        try {
            RTE_RING_FREE.invokeExact(r);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code struct rte_ring *rte_ring_lookup(const char *name)}: 0 with {@code rte_errno} ENOENT if none. */
    public static long rte_ring_lookup(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_RING_LOOKUP.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_ring_enqueue_burst(r, obj_table, n, NULL)} (inline): how many of {@code objs[0..n)} went in. */
    public static int rte_ring_enqueue_burst(long r, long objs, int n) {
        try {
            return (int) OVD_RING_ENQUEUE_BURST.invokeExact(r, objs, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_ring_dequeue_burst(r, obj_table, n, NULL)} (inline): how many were written to {@code objs}. */
    public static int rte_ring_dequeue_burst(long r, long objs, int n) {
        try {
            return (int) OVD_RING_DEQUEUE_BURST.invokeExact(r, objs, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_ring_count} (inline): entries in the ring. */
    public static int rte_ring_count(long r) {
        try {
            return (int) OVD_RING_COUNT.invokeExact(r);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_ring_free_count} (inline): free slots. */
    public static int rte_ring_free_count(long r) {
        try {
            return (int) OVD_RING_FREE_COUNT.invokeExact(r);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

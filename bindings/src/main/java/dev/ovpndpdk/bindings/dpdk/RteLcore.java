package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code rte_lcore.h}: lcore ids and thread registration.
 *
 * <p>A Java worker is not an EAL lcore. {@link #rte_thread_register()} gives the calling thread
 * a free lcore id (one not in EAL's {@code -l} list), which is what makes the per-lcore mempool
 * caches work for it: without an id every mbuf alloc and free goes to the shared ring. It does
 * not change the thread's affinity. Register on the worker's own platform thread, unregister
 * before it ends: ids are per OS thread (TLS), and there are {@value #RTE_MAX_LCORE} of them.
 *
 * <p>Unsigned C values are Java {@code int}s: {@link #LCORE_ID_ANY} ({@code UINT32_MAX}) is -1.
 */
public final class RteLcore {

    public static final int RTE_MAX_LCORE = 128;
    /** {@code LCORE_ID_ANY}, what {@link #rte_lcore_id()} says on an unregistered thread. */
    public static final int LCORE_ID_ANY = -1;
    /** {@code SOCKET_ID_ANY} (rte_memory.h): any NUMA node, for pool, ring and queue set-up. */
    public static final int SOCKET_ID_ANY = -1;

    private static final MethodHandle OVD_LCORE_ID = Dpdk.critical("ovd_lcore_id", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_THREAD_REGISTER = Dpdk.downcall("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_THREAD_UNREGISTER = Dpdk.downcall("rte_thread_unregister", FunctionDescriptor.ofVoid());
    private static final MethodHandle RTE_SOCKET_ID = Dpdk.downcall("rte_socket_id", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_LCORE_COUNT = Dpdk.downcall("rte_lcore_count", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_GET_MAIN_LCORE = Dpdk.downcall("rte_get_main_lcore", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_LCORE_TO_SOCKET_ID = Dpdk.downcall("rte_lcore_to_socket_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private RteLcore() {
    }

    /** {@code rte_lcore_id()} (inline, reads TLS; through {@code ovd_lcore_id}): {@link #LCORE_ID_ANY} if unregistered. */
    public static int rte_lcore_id() {
        try {
            return (int) OVD_LCORE_ID.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_thread_register(void)}: 0, or -1 with {@code rte_errno} (ENOMEM: no lcore id left). */
    public static int rte_thread_register() {
        try {
            return (int) RTE_THREAD_REGISTER.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code void rte_thread_unregister(void)}: gives the calling thread's lcore id back. */
    public static void rte_thread_unregister() {
        try {
            RTE_THREAD_UNREGISTER.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_socket_id(void)}: the NUMA node of the calling thread. */
    public static int rte_socket_id() {
        try {
            return (int) RTE_SOCKET_ID.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_lcore_count(void)}: EAL lcores plus registered threads. */
    public static int rte_lcore_count() {
        try {
            return (int) RTE_LCORE_COUNT.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_get_main_lcore(void)}. */
    public static int rte_get_main_lcore() {
        try {
            return (int) RTE_GET_MAIN_LCORE.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code unsigned rte_lcore_to_socket_id(unsigned lcore_id)}. */
    public static int rte_lcore_to_socket_id(int lcoreId) {
        try {
            return (int) RTE_LCORE_TO_SOCKET_ID.invokeExact(lcoreId);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

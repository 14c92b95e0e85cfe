package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code rte_eal.h} and {@code rte_version.h}: bringing up and tearing down the Environment
 * Abstraction Layer.
 *
 * <p>What EAL does to a JVM (checked on 22.11): {@code rte_eal_init} pins the calling thread to
 * the main lcore's CPUs, and threads that thread starts afterwards inherit that affinity; it
 * starts its own threads (interrupts, telemetry, the other lcores of {@code -l}); it can be
 * initialised once per process, and not again after {@code rte_eal_cleanup}. Call it from a
 * platform thread that starts no workers, or re-pin the workers it starts.
 */
public final class RteEal {

    /** argv[0]: EAL skips it, but logs it. */
    public static final String PROGRAM_NAME = "ovpn-dpdk";

    private static final MethodHandle RTE_EAL_INIT = Dpdk.downcall("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle RTE_EAL_CLEANUP = Dpdk.downcall("rte_eal_cleanup", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_VERSION = Dpdk.downcall("rte_version", FunctionDescriptor.of(ADDRESS));

    private RteEal() {
    }

    /**
     * {@code int rte_eal_init(int argc, char **argv)} with {@code argv = {"ovpn-dpdk", args...}}.
     * Returns the number of arguments EAL parsed, or -1 with {@link RteErrno#rte_errno()} set
     * (EALREADY on a second call). The argument strings are allocated for the life of the process:
     * EAL may keep pointers into argv.
     */
    public static int rte_eal_init(String... args) {
        Arena forever = Arena.global();
        MemorySegment argv = forever.allocate(ADDRESS, args.length + 2L);
        argv.setAtIndex(ADDRESS, 0, forever.allocateFrom(PROGRAM_NAME));
        for (int i = 0; i < args.length; i++) {
            argv.setAtIndex(ADDRESS, i + 1, forever.allocateFrom(args[i]));
        }
        argv.setAtIndex(ADDRESS, args.length + 1, MemorySegment.NULL);
        try {
            return (int) RTE_EAL_INIT.invokeExact(args.length + 1, argv);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eal_cleanup(void)}: releases EAL's memory and threads; 0 or {@code -errno}. */
    public static int rte_eal_cleanup() {
        try {
            return (int) RTE_EAL_CLEANUP.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code const char *rte_version(void)}, e.g. "DPDK 22.11.11". */
    public static String rte_version() {
        try {
            return Dpdk.cString((MemorySegment) RTE_VERSION.invokeExact(), 64);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

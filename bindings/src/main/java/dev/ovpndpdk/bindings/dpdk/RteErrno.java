package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code rte_errno.h}: DPDK's per-thread error number and its messages, plus the checks that turn
 * the two DPDK error conventions into a {@link DpdkException}:
 * <ul>
 *   <li>ethdev returns {@code -errno} ({@link #checkReturn});</li>
 *   <li>EAL, mempool and ring return -1 or NULL and set {@code rte_errno} ({@link #checkErrno},
 *       {@link #checkPointer}).</li>
 * </ul>
 * {@code rte_errno} is thread-local, read through the shim, and valid only right after the failed
 * call on the same platform thread (a virtual thread may change carriers between two downcalls).
 */
public final class RteErrno {

    private static final MethodHandle OVD_ERRNO = Dpdk.critical("ovd_errno", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle RTE_STRERROR = Dpdk.downcall("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private RteErrno() {
    }

    /** {@code rte_errno} of the calling thread (through {@code ovd_errno}: it is a TLS variable). */
    public static int rte_errno() {
        try {
            return (int) OVD_ERRNO.invokeExact();
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code const char *rte_strerror(int errnum)}: libc's message, or DPDK's for its own codes. */
    public static String rte_strerror(int errnum) {
        try {
            MemorySegment s = (MemorySegment) RTE_STRERROR.invokeExact(errnum);
            return s.equals(MemorySegment.NULL) ? "error " + errnum : Dpdk.cString(s, 256);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** For calls that return {@code -errno}: returns {@code rc} when it is not negative, else throws. */
    public static int checkReturn(int rc, String call) {
        if (rc < 0) {
            throw new DpdkException(call + ": " + rte_strerror(-rc) + " (" + rc + ")", -rc);
        }
        return rc;
    }

    /** For calls that return a negative value and set {@code rte_errno}: returns {@code rc} when not negative, else throws. */
    public static int checkErrno(int rc, String call) {
        if (rc < 0) {
            throw failedWithRteErrno(call);
        }
        return rc;
    }

    /** For calls that return NULL and set {@code rte_errno}: returns the pointer when it is not 0, else throws. */
    public static long checkPointer(long pointer, String call) {
        if (pointer == 0) {
            throw failedWithRteErrno(call);
        }
        return pointer;
    }

    private static DpdkException failedWithRteErrno(String call) {
        int e = rte_errno();
        return new DpdkException(call + ": " + rte_strerror(e) + " (rte_errno " + e + ")", e);
    }
}

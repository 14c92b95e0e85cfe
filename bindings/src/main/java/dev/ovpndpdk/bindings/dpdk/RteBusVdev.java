package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code rte_bus_vdev.h}: creating a virtual device after {@code rte_eal_init}, the way
 * {@code --vdev} does at start-up — for a crypto PMD ({@code crypto_aesni_gcm0}) wanted by an
 * engine opened when EAL is already up. The driver must have been loaded by EAL (Debian's
 * plugins directory, {@code pmds-23.0}); otherwise the call fails with {@code -EINVAL}.
 */
public final class RteBusVdev {

    private static final MethodHandle RTE_VDEV_INIT = Dpdk.downcall("rte_vdev_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RTE_VDEV_UNINIT = Dpdk.downcall("rte_vdev_uninit", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private RteBusVdev() {
    }

    /**
     * {@code int rte_vdev_init(const char *name, const char *args)}: 0 or {@code -errno}
     * ({@code -EEXIST} when a device of that name exists). {@code name} picks the driver by its
     * prefix ({@code crypto_aesni_mb0}); {@code args} are the driver's {@code key=value,...}.
     */
    public static int rte_vdev_init(String name, String args) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_VDEV_INIT.invokeExact(a.allocateFrom(name), a.allocateFrom(args == null ? "" : args));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_vdev_uninit(const char *name)}: removes the device; 0 or {@code -errno}. */
    public static int rte_vdev_uninit(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_VDEV_UNINIT.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

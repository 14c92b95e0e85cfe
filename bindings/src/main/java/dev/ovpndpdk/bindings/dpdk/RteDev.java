package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code rte_dev.h}: creating and removing devices after {@code rte_eal_init}, for ports that
 * are not named by {@code --vdev} on the EAL command line — the tunnel's {@code net_tun} and the
 * exception path's {@code net_tap} — e.g. {@code rte_dev_probe("net_tap0,iface=ovpn-exc0")}.
 * Once probed, the device is an ethdev port: find it with
 * {@link RteEthdev#rte_eth_dev_get_port_by_name}.
 */
public final class RteDev {

    private static final MethodHandle RTE_DEV_PROBE = Dpdk.downcall("rte_dev_probe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle RTE_EAL_HOTPLUG_ADD = Dpdk.downcall("rte_eal_hotplug_add",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle RTE_EAL_HOTPLUG_REMOVE = Dpdk.downcall("rte_eal_hotplug_remove",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private RteDev() {
    }

    /** {@code int rte_dev_probe(const char *devargs)}: 0 or {@code -errno}; {@code devargs} as after {@code --vdev}. */
    public static int rte_dev_probe(String devargs) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_DEV_PROBE.invokeExact(a.allocateFrom(devargs));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eal_hotplug_add(busname, devname, drvargs)}, e.g. ("vdev", "net_tun0", "iface=ovpn0"). */
    public static int rte_eal_hotplug_add(String busName, String devName, String drvArgs) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_EAL_HOTPLUG_ADD.invokeExact(a.allocateFrom(busName), a.allocateFrom(devName),
                    a.allocateFrom(drvArgs));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_eal_hotplug_remove(busname, devname)}: close the port first. */
    public static int rte_eal_hotplug_remove(String busName, String devName) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_EAL_HOTPLUG_REMOVE.invokeExact(a.allocateFrom(busName), a.allocateFrom(devName));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

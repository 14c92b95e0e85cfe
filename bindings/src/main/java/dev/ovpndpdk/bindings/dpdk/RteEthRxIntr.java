package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code rte_ethdev.h}, RX interrupts: a port configured with {@code intr_conf.rxq = 1}
 * ({@link RteEthConf#intr_conf_rxq}) gives each RX queue a file descriptor that becomes readable
 * when the queue receives while its interrupt is enabled. A worker with nothing to do enables
 * them, sleeps in {@code epoll} on the descriptors (ours, {@code bindings.libc.Epoll}, not
 * {@code rte_epoll_wait}), and disables them again before it polls.
 *
 * <p>Each call returns 0 (the descriptor, for {@link #rte_eth_dev_rx_intr_ctl_q_get_fd}) or a
 * negative errno: {@code -ENOTSUP} where the driver has no RX interrupts.
 */
public final class RteEthRxIntr {
    /** {@code struct rte_eth_intr_conf}'s {@code rxq} bit (after {@code lsc}). */
    public static final int INTR_CONF_RXQ = 1 << 1;

    private static final MethodHandle ENABLE = Dpdk.downcall("rte_eth_dev_rx_intr_enable",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
    private static final MethodHandle DISABLE = Dpdk.downcall("rte_eth_dev_rx_intr_disable",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
    private static final MethodHandle GET_FD = Dpdk.downcall("rte_eth_dev_rx_intr_ctl_q_get_fd",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));

    private RteEthRxIntr() {
    }

    /** Arms queue {@code queue}'s interrupt: its descriptor fires on the next packet. */
    public static int rte_eth_dev_rx_intr_enable(int port, int queue) {
        try {
            return (int) ENABLE.invokeExact((short) port, (short) queue);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** Disarms it: the worker polls the queue again. */
    public static int rte_eth_dev_rx_intr_disable(int port, int queue) {
        try {
            return (int) DISABLE.invokeExact((short) port, (short) queue);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** The queue's interrupt descriptor, or a negative errno (no interrupts on this port). */
    public static int rte_eth_dev_rx_intr_ctl_q_get_fd(int port, int queue) {
        try {
            return (int) GET_FD.invokeExact((short) port, (short) queue);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

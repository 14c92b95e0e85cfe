package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteEthRxIntr;
import dev.ovpndpdk.bindings.libc.Epoll;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.dataplane.engine.Waiter;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Builds each worker's {@link RxInterruptWaiter} for {@code --idle interrupt}: which of its RX
 * queues have an interrupt descriptor (the ports were configured with {@code intr_conf.rxq = 1}),
 * one epoll instance per worker over those, and one log line per port whose driver has none.
 * Control thread, at start.
 */
final class RxInterrupts {
    private static final Logger LOG = Logger.getLogger(RxInterrupts.class.getName());
    private static final int ENOTSUP = 95;
    /** Drivers whose RX interrupt descriptor is the queue's own and needs no arming. */
    private static final Set<String> SELF_ARMED = Set.of("net_tap", "net_tun");

    /** A port the worker polls: its name for the log and its ethdev id. */
    record Port(String name, String driver, int id) {
    }

    private final Set<Integer> reported = new HashSet<>();
    private final java.util.Map<Integer, int[]> pmdSockets = new java.util.HashMap<>();
    /** RX queues per port: one per worker. */
    private final int queues;

    RxInterrupts(int queues) {
        this.queues = queues;
    }
    private final List<Epoll> epolls = new ArrayList<>();

    /** Worker {@code w}'s waiter over queue {@code w} of each of {@code ports}. */
    synchronized Waiter waiter(int w, List<Port> ports, long pollNanos) {
        List<RxInterruptWaiter.Queue> queues = new ArrayList<>();
        for (Port p : ports) {
            queues.add(queue(p, w));
        }
        Epoll epoll;
        try {
            epoll = new Epoll(queues.size());
            for (RxInterruptWaiter.Queue q : queues) {
                if (q.interrupts()) {
                    epoll.add(q.fd(), Epoll.EPOLLIN, q.port());
                }
            }
        } catch (ErrnoException e) {
            throw new UncheckedIOException("worker " + w + ": epoll for RX interrupts: " + e.getMessage(), e);
        }
        epolls.add(epoll);
        return new RxInterruptWaiter(queues, new RxInterruptWaiter.Arming() {
            @Override
            public int enable(int port, int queue) {
                return RteEthRxIntr.rte_eth_dev_rx_intr_enable(port, queue);
            }

            @Override
            public int disable(int port, int queue) {
                return RteEthRxIntr.rte_eth_dev_rx_intr_disable(port, queue);
            }
        }, nanos -> {
            try {
                epoll.awaitNanos(nanos);
            } catch (ErrnoException e) {
                // not transient (EBADF after close, at stop): the worker just polls again
            }
        }, pollNanos);
    }

    /**
     * Queue {@code q}'s interrupt descriptor, or -1 when the driver has none: no descriptor, or
     * one it cannot arm (both tried once here, so the worker's arming never fails).
     * {@code net_tap} and {@code net_tun} hand out the queue's own TUN descriptor, readable while
     * packets wait, and have nothing to arm ({@code -ENOTSUP}): always armed, which is what the
     * sleep needs, and level-triggered, so a packet that came before the sleep wakes it at once.
     */
    private RxInterruptWaiter.Queue queue(Port p, int q) {
        String name = p.name() + " queue " + q;
        int fd = RteEthRxIntr.rte_eth_dev_rx_intr_ctl_q_get_fd(p.id(), q);
        int armed = fd < 0 ? fd : RteEthRxIntr.rte_eth_dev_rx_intr_enable(p.id(), q);
        if (armed >= 0) {
            RteEthRxIntr.rte_eth_dev_rx_intr_disable(p.id(), q);
            return new RxInterruptWaiter.Queue(name, p.id(), q, fd, true);
        }
        if (fd >= 0 && armed == -ENOTSUP && SELF_ARMED.contains(p.driver())) {
            return new RxInterruptWaiter.Queue(name, p.id(), q, fd, false);
        }
        int[] sockets = socketsOf(p);
        if (sockets != null) {
            return new RxInterruptWaiter.Queue(name + " (its " + p.driver() + " socket)", p.id(), q, sockets[q], false);
        }
        if (reported.add(p.id())) {
            LOG.info(p.name() + " (" + p.driver() + ") has no RX interrupts ("
                    + (fd < 0 ? "no descriptor: " + RteErrno.rte_strerror(-fd) : "rte_eth_dev_rx_intr_enable: "
                    + RteErrno.rte_strerror(-armed)) + "): idle workers poll it as with --idle backoff");
        }
        return new RxInterruptWaiter.Queue(name, p.id(), q, -1, false);
    }

    /** The kernel sockets under {@code p}'s queues, looked for once per port ({@link PmdSockets}). */
    private int[] socketsOf(Port p) {
        return pmdSockets.computeIfAbsent(p.id(), id -> {
            int[] fds = PmdSockets.of(p.driver(), queues);
            return fds != null ? fds : new int[0];
        }).length == 0 ? null : pmdSockets.get(p.id());
    }

    /** After the workers stopped. */
    synchronized void close() {
        epolls.forEach(Epoll::close);
        epolls.clear();
    }
}

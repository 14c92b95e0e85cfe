package dev.ovpndpdk.dataplane.port.socket;

import dev.ovpndpdk.bindings.libc.ClassicBpf;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.NetDevice;
import dev.ovpndpdk.bindings.libc.Poll;
import dev.ovpndpdk.bindings.libc.ReuseportSteering;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.bindings.libc.TunDevice;
import dev.ovpndpdk.bindings.libc.TunSteering;
import dev.ovpndpdk.dataplane.engine.Waiter;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.PortBackend;
import dev.ovpndpdk.dataplane.port.TunnelPort;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * The pure-Java backend (ARCHITECTURE.md, "Port backends → socket"): a multiqueue TUN device
 * with one queue per worker, and one UDP socket per worker in a SO_REUSEPORT group on the
 * listen address, steered by a classic-BPF program.
 *
 * <p>The group and the OpenVPN process. Socket indices in a reuseport group are bind order,
 * and when a member leaves, the last one takes its index. The daemon binds first (it owns the
 * TUN device and starts before OpenVPN): its workers are 0..N-1 and the OpenVPN process's
 * socket, bound after them, is N. The program sends P_DATA_V2 to worker {@code peer-id mod N}
 * and anything else to index N. While no OpenVPN socket is there (not started yet, or between
 * a restart's close and bind) index N is out of range and the kernel picks a worker by hash,
 * which counts the datagram as not-data. The daemon keeps no copy of the OpenVPN socket
 * ({@link #steerToOpenVpn}): when the process closes it, it leaves the group, and the next
 * process's socket is N again.
 *
 * <p>So the daemon must bind first. If the address is taken when it starts — typically an
 * OpenVPN process that lost its previous daemon and has not closed its socket yet — it waits
 * up to {@link #PORT_WAIT_MILLIS} for the socket to go ({@link #waitForPort}). (Binding behind
 * it instead made the workers 1..N and the OpenVPN socket 0; when that socket closed, the
 * kernel moved the last worker into slot 0, and every new client's handshake went to a worker.)
 */
public final class SocketBackend implements PortBackend {
    private static final Logger LOG = Logger.getLogger(SocketBackend.class.getName());
    private static final int SOCKET_BUFFER = 4 << 20;
    /** System property: "false" keeps UDP GSO off with {@link TunOffload#ON}. */
    public static final String UDP_GSO_PROPERTY = "ovpndpdk.udpgso";
    /** System property: "false" keeps UDP GRO off with {@link TunOffload#ON}. */
    public static final String UDP_GRO_PROPERTY = "ovpndpdk.udpgro";

    private final Arena arena = Arena.ofShared();
    private final TunDevice tun;
    private final InetSocketAddress listen;
    private final List<Integer> sockets = new ArrayList<>();
    private final List<UdpWirePort> wirePorts = new ArrayList<>();
    private final List<TunnelPort> tunnelPorts = new ArrayList<>();
    private boolean closed;

    /** How long the daemon waits at start for another process's socket to release its address. */
    public static final long PORT_WAIT_MILLIS = 30_000;

    private SocketBackend(TunDevice tun, InetSocketAddress listen) {
        this.tun = tun;
        this.listen = listen;
    }

    /**
     * Creates the TUN device {@code tunName} with one queue per worker, brings it up (the
     * addresses and routes stay the system's business, as with OpenVPN) and binds the
     * workers' sockets. Unless {@code offload} is OFF, the TUN queues get virtio_net_hdr and
     * the checksum and segmentation offloads this kernel accepts (docs/socket-offloads.md); OFF
     * keeps one plain packet per read and write.
     */
    public static SocketBackend open(String tunName, InetSocketAddress listen, int workers, int burst, TunOffload offload)
            throws IOException {
        boolean vnet = offload != TunOffload.OFF;
        // UDP GSO rides with the full offload; the property lets a benchmark tell the parts apart.
        boolean udpGso = offload == TunOffload.ON && Boolean.parseBoolean(System.getProperty(UDP_GSO_PROPERTY, "true"));
        boolean udpGro = offload == TunOffload.ON && Boolean.parseBoolean(System.getProperty(UDP_GRO_PROPERTY, "true"));
        TunDevice tun = TunDevice.open(tunName, workers, vnet);
        SocketBackend b = null;
        try {
            String offloads = vnet ? enableOffloads(tun) + (offload == TunOffload.ON ? ", coalescing writes" : "")
                    + (udpGso ? ", udp gso" : "") + (udpGro ? ", udp gro" : "") : "off";
            String steering = PortBackend.steerByDestination(tun.name(), workers, () -> TunSteering.attach(tun.fd(0)));
            NetDevice.setUp(tun.name(), true);
            waitForPort(listen, PORT_WAIT_MILLIS);
            b = new SocketBackend(tun, listen);
            boolean v6 = listen.getAddress() instanceof Inet6Address;
            for (int w = 0; w < workers; w++) {
                int fd = Sockets.udp(listen);
                b.sockets.add(fd);
                SockOpt.setReusePort(fd, true);
                if (v6) {
                    SockOpt.setV6Only(fd, false);
                }
                SockOpt.setReceiveBuffer(fd, SOCKET_BUFFER);
                SockOpt.setSendBuffer(fd, SOCKET_BUFFER);
                try {
                    Sockets.bind(fd, listen);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EADDRINUSE) {
                        throw new IOException(e.getMessage() + ": the port is held by a socket without SO_REUSEPORT"
                                + " or of another user; an OpenVPN process sharing it must set SO_REUSEPORT before bind and run as the same user", e);
                    }
                    throw e;
                }
                b.wirePorts.add(new UdpWirePort(fd, v6, burst, udpGso, udpGro && enableGro(fd),
                        listen.getAddress().isAnyLocalAddress(), b.arena));
                b.tunnelPorts.add(vnet ? new VnetTunTunnelPort(tun.fd(w), burst, offload == TunOffload.ON, b.arena)
                        : new TunTunnelPort(tun.fd(w)));
            }
            b.steer();
            LOG.info(() -> "socket backend: tun " + tun.name() + " (" + workers + " queues, " + steering + ", offloads " + offloads
                    + "), udp " + Remote.of(listen));
            return b;
        } catch (IOException | RuntimeException e) {
            if (b != null) {
                b.close();
            } else {
                tun.close();
            }
            throw e;
        }
    }

    /**
     * The most the kernel accepts of: checksum, TSO (with ECN) and, from Linux 6.2, USO. The
     * reader finishes and segments whatever it is given, so any subset works.
     */
    private static String enableOffloads(TunDevice tun) throws ErrnoException {
        int tso = TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6 | TunDevice.TUN_F_TSO_ECN;
        int[] tries = {tso | TunDevice.TUN_F_USO4 | TunDevice.TUN_F_USO6, tso, TunDevice.TUN_F_CSUM};
        String[] names = {"csum+tso+uso", "csum+tso", "csum"};
        for (int i = 0; i < tries.length; i++) {
            try {
                tun.setOffload(tries[i]);
                return names[i];
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        return "none (virtio_net_hdr only)";
    }

    /** UDP_GRO on a worker socket; false where the kernel has none (before 5.0). */
    private static boolean enableGro(int fd) {
        try {
            SockOpt.setInt(fd, SockOpt.SOL_UDP, SockOpt.UDP_GRO, 1, "UDP_GRO");
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * Returns once no socket holds {@code listen}, or throws after {@code millis}. A plain bind
     * (no SO_REUSEPORT) tells: it fails while any socket is bound there.
     */
    static void waitForPort(InetSocketAddress listen, long millis) throws IOException {
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000;
        boolean said = false;
        while (portTaken(listen)) {
            if (!said) {
                LOG.info(() -> "udp " + Remote.of(listen) + " is held by another socket (an OpenVPN process that lost its"
                        + " daemon and has not closed its socket yet?): waiting up to " + millis / 1000 + " s for it to go;"
                        + " the daemon binds first, OpenVPN's socket joins after its workers");
                said = true;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("udp " + Remote.of(listen) + " is held by another socket: stop the process that"
                        + " holds it (ss -ulpn 'sport = :" + listen.getPort() + "'), start the daemon, then OpenVPN");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for udp " + Remote.of(listen), e);
            }
        }
        if (said) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.info(() -> "udp " + Remote.of(listen) + " is free after " + ms + " ms");
        }
    }

    /** Whether some socket (another process's) is bound to the address. */
    private static boolean portTaken(InetSocketAddress listen) throws ErrnoException {
        int probe = Sockets.udp(listen);
        try {
            if (listen.getAddress() instanceof Inet6Address) {
                SockOpt.setV6Only(probe, false);
            }
            Sockets.bind(probe, listen);
            return false;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EADDRINUSE) {
                return true;
            }
            throw e;
        } finally {
            Fd.closeQuietly(probe);
        }
    }

    private void steer() throws IOException {
        ReuseportSteering.attach(sockets.get(0), program());
    }

    /**
     * The group's program: data to the workers (0..N-1) by peer-id; anything else to the
     * OpenVPN socket, bound after them (N).
     */
    private List<ClassicBpf.Insn> program() {
        int n = sockets.size();
        return ReuseportSteering.program(0, n, n);
    }

    @Override
    public Runnable threadSetUp(int w, int[] cpus) {
        return () -> PortBackend.pin(w, cpus);
    }

    @Override
    public String describe() {
        return "socket backend: tun " + tunName() + " (multiqueue), udp " + Remote.of(listen);
    }

    @Override
    public String tunName() {
        return tun.name();
    }

    public InetSocketAddress listenAddress() {
        return listen;
    }

    @Override
    public UdpWirePort wirePort(int worker) {
        return wirePorts.get(worker);
    }

    @Override
    public TunnelPort tunnelPort(int worker) {
        return tunnelPorts.get(worker);
    }

    /** Worker {@code w} sleeps in poll(2) on its UDP socket and TUN queue. */
    @Override
    public Waiter waiter(int w) {
        Poll poll = new Poll(2);
        poll.set(0, sockets.get(w), Poll.POLLIN);
        poll.set(1, tun.fd(w), Poll.POLLIN);
        return Waiter.described("poll the UDP socket and TUN queue", nanos -> {
            try {
                poll.await((int) Math.max(1, nanos / 1_000_000));
            } catch (ErrnoException e) {
                // EINTR and friends: the worker just loops again
            }
        });
    }


    /**
     * ATTACH or NEW_PEER handed over the OpenVPN process's UDP socket: check that it shares our
     * address and port in the reuseport group, and (re)attach the steering program through it,
     * so that everything not P_DATA_V2 reaches it. The descriptor stays the caller's: the daemon
     * keeps no copy (see the class comment), so the caller closes it.
     *
     * @throws IllegalArgumentException with a message for the operator when it cannot work
     */
    public void steerToOpenVpn(int fd) throws IOException {
        int type = SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_TYPE, "getsockopt(SO_TYPE)");
        if (type != Sockets.SOCK_DGRAM) {
            throw new IllegalArgumentException("the handed-over socket is not a UDP socket (TCP is not supported)");
        }
        InetSocketAddress local = Sockets.localAddress(fd);
        if (local.getPort() != listen.getPort() || !local.getAddress().equals(listen.getAddress())) {
            throw new IllegalArgumentException("the handed-over socket is bound to " + Remote.of(local)
                    + ", the daemon listens on " + Remote.of(listen) + ": OpenVPN's local and port must be the same");
        }
        if (!SockOpt.reusePortEnabled(fd)) {
            throw new IllegalArgumentException("the handed-over socket has no SO_REUSEPORT; set it before bind so the daemon's sockets can share the port");
        }
        // Attaching through the handed-over fd fails with EINVAL when it is in no group: the
        // message then says whether SO_REUSEPORT came after bind.
        ReuseportSteering.attach(fd, program());
        LOG.info(() -> "control channel: datagrams that are not P_DATA_V2 go to the OpenVPN process's socket "
                + Remote.of(local) + " (reuseport index " + sockets.size() + ")");
    }

    /**
     * The backend's own counters for GET_STATS, all named {@code socket_*} (docs/daemon.md,
     * "Socket backend counters"): what the kernel dropped before a worker read it (the UDP
     * sockets' receive buffers, the TUN device's queues), what the ports dropped or the kernel
     * refused (too long, malformed, refused sends and writes), and how often the offloads
     * carried trains and super-packets. Summed over the workers; read on the control thread.
     */
    @Override
    public synchronized Map<String, Long> counters() {
        if (closed) {
            return Map.of();
        }
        long queueDrops = 0;
        for (int fd : sockets) {
            try {
                queueDrops += SockOpt.receiveDrops(fd);
            } catch (ErrnoException e) {
                // a kernel without SO_MEMINFO: the field below stays what the others gave
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("socket_wire_rx_queue_drops", queueDrops);
        m.put("socket_wire_rx_too_long_drops", sum(wirePorts, UdpWirePort::truncated));
        m.put("socket_wire_tx_refused_drops", sum(wirePorts, UdpWirePort::refused));
        m.put("socket_wire_gro_trains", sum(wirePorts, UdpWirePort::groTrains));
        m.put("socket_wire_gso_trains", sum(wirePorts, UdpWirePort::gsoTrains));
        m.put("socket_wire_gso_refused", sum(wirePorts, UdpWirePort::gsoRefused));
        // The kernel's tx is our receive: packets routed into the TUN device that found its
        // queue full (the workers were behind) are its tx_dropped.
        long tunDrops = NetDevice.statistic(tun.name(), "tx_dropped");
        if (tunDrops >= 0) {
            m.put("socket_tun_rx_queue_drops", tunDrops);
        }
        List<VnetTunTunnelPort> vnet = new ArrayList<>();
        long writeErrors = 0;
        for (TunnelPort t : tunnelPorts) {
            if (t instanceof VnetTunTunnelPort v) {
                vnet.add(v);
                writeErrors += v.writeErrors();
            } else if (t instanceof TunTunnelPort p) {
                writeErrors += p.writeErrors();
            }
        }
        m.put("socket_tun_rx_malformed_drops", sum(vnet, VnetTunTunnelPort::malformed));
        m.put("socket_tun_rx_too_long_drops", sum(vnet, VnetTunTunnelPort::tooBig));
        m.put("socket_tun_tx_write_error_drops", writeErrors);
        m.put("socket_tun_super_packets_read", sum(vnet, VnetTunTunnelPort::superPacketsRead));
        m.put("socket_tun_super_packets_written", sum(vnet, VnetTunTunnelPort::superPacketsWritten));
        m.put("socket_tun_coalesce_refused", sum(vnet, VnetTunTunnelPort::coalesceRefused));
        return m;
    }

    private static <T> long sum(List<T> ports, ToLongFunction<T> counter) {
        long n = 0;
        for (T p : ports) {
            n += counter.applyAsLong(p);
        }
        return n;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        wirePorts.forEach(UdpWirePort::close);
        sockets.forEach(Fd::closeQuietly);
        tun.close();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}

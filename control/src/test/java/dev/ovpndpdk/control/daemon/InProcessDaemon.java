package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.aesni.JdkAeadEngine;
import dev.ovpndpdk.bindings.libc.SockOpt;
import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;

/**
 * The control side of a daemon without root, TUN or sockets for packets: an engine with no
 * workers (peers, keys and routes work; nothing moves), the real control server on a socket in
 * a temporary directory, and the real control loop on its own thread. The OpenVPN socket of
 * ATTACH and NEW_PEER goes through the real hand-over to a fake steering that records the
 * cookie of each socket it is asked to steer to.
 */
public final class InProcessDaemon implements AutoCloseable {
    public final Engine engine;
    public final ControlServer server;
    public final Path socket;
    /** Cookies ({@code SO_COOKIE}) of the sockets the control channel was steered to, in order. */
    public final List<Long> handedOver = new CopyOnWriteArrayList<>();
    /** What GET_STATS reports as the port backend's own counters (none unless a test puts some). */
    public final Map<String, Long> backendCounters = new LinkedHashMap<>();
    private final ControlLoop loop;
    private final Thread thread;

    private InProcessDaemon(Path socket, Mode mode, IntPredicate uidAllowed) throws IOException {
        this.socket = socket;
        this.engine = new Engine(Engine.Config.defaults(mode, 1), new JdkAeadEngine());
        TunnelIdentity identity = new TunnelIdentity("tun-test", "socket",
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1194), 0);
        SocketHandOver handOver = new SocketHandOver(fd -> handedOver.add(SockOpt.cookie(fd)));
        this.server = ControlServer.open(socket, new Handlers(engine, handOver, identity, "test", this::backendCounters), uidAllowed);
        this.loop = new ControlLoop(engine, server);
        this.thread = new Thread(loop, "control-loop-test");
        thread.setDaemon(true);
        thread.start();
    }

    private Map<String, Long> backendCounters() {
        synchronized (backendCounters) {
            return new LinkedHashMap<>(backendCounters);
        }
    }

    public static InProcessDaemon start(Path dir, Mode mode) throws IOException {
        return new InProcessDaemon(dir.resolve("test.sock"), mode, ControlServer.rootOrSelf());
    }

    public static InProcessDaemon start(Path dir, Mode mode, IntPredicate uidAllowed) throws IOException {
        return new InProcessDaemon(dir.resolve("test.sock"), mode, uidAllowed);
    }

    public ControlClient client() throws IOException {
        return ControlClient.connect(socket);
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        thread.join(5000);
        engine.close(); // on this thread now: the loop's is done, join orders the two
        server.close();
    }
}

package dev.ovpndpdk.dataplane.port.memory;

import dev.ovpndpdk.dataplane.peer.Remote;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process stand-in for a UDP network: endpoints by transport address, datagrams
 * copied into per-endpoint inboxes. For tests and examples of the engine without sockets;
 * it allocates per datagram and is not meant to be fast.
 */
public final class MemoryNetwork {
    /** One datagram in flight. */
    public record Datagram(Remote from, Remote to, byte[] payload) {
    }

    private final Map<Remote, Queue<Datagram>> inboxes = new ConcurrentHashMap<>();
    private final AtomicLong lost = new AtomicLong();

    /** A wire port bound to {@code address}; each call opens another queue on the same address. */
    public MemoryWirePort bind(Remote address) {
        return new MemoryWirePort(this, address, inboxes.computeIfAbsent(address, a -> new ConcurrentLinkedQueue<>()));
    }

    /** Sends a datagram as a host outside the data plane would (junk, control packets). */
    public void inject(Remote from, Remote to, byte[] payload) {
        deliver(new Datagram(from, to, payload.clone()));
    }

    /** Tests: {@code tap} sees the payload of every datagram sent through the network from now on (a capture). */
    public void tap(java.util.function.Consumer<byte[]> tap) {
        this.tap = tap;
    }

    private volatile java.util.function.Consumer<byte[]> tap;

    void deliver(Datagram d) {
        java.util.function.Consumer<byte[]> t = tap;
        if (t != null) {
            t.accept(d.payload().clone());
        }
        Queue<Datagram> q = inboxes.get(d.to());
        if (q == null) {
            lost.incrementAndGet();
        } else {
            q.add(d);
        }
    }

    /** Datagrams sent to an address nobody is bound to. */
    public long lost() {
        return lost.get();
    }
}

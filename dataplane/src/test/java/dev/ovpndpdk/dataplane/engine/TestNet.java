package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.memory.MemoryNetwork;
import dev.ovpndpdk.dataplane.port.memory.MemoryTunnelPort;
import dev.ovpndpdk.dataplane.port.memory.MemoryWirePort;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server (MP) and clients (P2P) on a {@link MemoryNetwork}, one worker each, driven by
 * hand ({@link #pump}) so tests are deterministic. Client c has transport 10.10.c.2:1194,
 * VPN address 5.5.5.(c+1) and peer-id c on the server; the server is 10.10.0.1:1194 and
 * 5.5.5.1.
 */
final class TestNet implements AutoCloseable {
    static final class Node {
        final Engine engine;
        final MemoryWirePort wire;
        final MemoryTunnelPort tun = new MemoryTunnelPort();
        final List<Notification> events = new CopyOnWriteArrayList<>();

        Node(Engine engine, MemoryWirePort wire) {
            this.engine = engine;
            this.wire = wire;
            engine.addWorker(wire, tun);
            engine.addListener(events::add);
        }

        Worker worker() {
            return engine.workers().get(0);
        }
    }

    final MemoryNetwork net = new MemoryNetwork();
    final Node server;
    final List<Node> clients = new ArrayList<>();
    final List<KeyMaterial> material = new ArrayList<>();
    final AeadEngine crypto;
    long now = 1_000_000_000L;
    private final Random random = new Random(42);

    TestNet(AeadEngine crypto, int clients, CipherAlg alg) {
        this(crypto, clients, alg, null, null);
    }

    /** With asynchronous crypto engines on the server, on the clients, or both (null: none). */
    TestNet(AeadEngine crypto, int clients, CipherAlg alg, Offload serverOffload, Offload clientOffload) {
        this.crypto = crypto;
        server = new Node(new Engine(Engine.Config.defaults(Mode.MP, 1), crypto, serverOffload), net.bind(serverAddress()));
        for (int c = 1; c <= clients; c++) {
            Node n = new Node(new Engine(Engine.Config.defaults(Mode.P2P, 1), crypto, clientOffload), net.bind(clientAddress(c)));
            this.clients.add(n);
            KeyMaterial km = newMaterial();
            // The server knows client c as peer c with VPN address 5.5.5.(c+1); the client
            // knows the server as peer c too (symmetric ids, as OpenVPN 2.6 pushes them).
            server.engine.newPeer(c, c, clientAddress(c).toSocketAddress(), (Inet4Address) ip("5.5.5." + (c + 1)),
                    null, null, now);
            n.engine.newPeer(c, c, serverAddress().toSocketAddress(), null, null, null, now);
            installKey(server.engine, c, KeySlots.Slot.PRIMARY, 0, alg, km, Role.SERVER);
            installKey(n.engine, c, KeySlots.Slot.PRIMARY, 0, alg, km, Role.CLIENT);
        }
    }

    KeyMaterial newMaterial() {
        byte[] b = new byte[256];
        random.nextBytes(b);
        KeyMaterial km = KeyMaterial.of(b);
        material.add(km);
        return km;
    }

    static void installKey(Engine e, int peer, KeySlots.Slot slot, int keyId, CipherAlg alg, KeyMaterial km, Role role) {
        e.newKey(peer, slot, keyId, alg, km.cipherKey(role.encryptIndex(), alg), km.nonceTail(role.encryptIndex()),
                km.cipherKey(role.decryptIndex(), alg), km.nonceTail(role.decryptIndex()));
    }

    static Remote serverAddress() {
        return Remote.of(new java.net.InetSocketAddress(ip("10.10.0.1"), 1194));
    }

    static Remote clientAddress(int c) {
        return Remote.of(new java.net.InetSocketAddress(ip("10.10." + c + ".2"), 1194));
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(s);
        }
    }

    Node client(int c) {
        return clients.get(c - 1);
    }

    /** Runs every worker until nothing moves (a few rounds), then the control ticks. */
    void pump() {
        for (int round = 0; round < 10; round++) {
            int work = server.worker().doWork(now);
            for (Node c : clients) {
                work += c.worker().doWork(now);
            }
            if (work == 0) {
                break;
            }
        }
        server.engine.tick(now);
        clients.forEach(c -> c.engine.tick(now));
    }

    void advanceSeconds(double s) {
        now += (long) (s * 1e9);
    }

    @Override
    public void close() {
        server.engine.close();
        clients.forEach(c -> c.engine.close());
        material.forEach(KeyMaterial::close);
    }
}

package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.memory.MemoryNetwork;
import dev.ovpndpdk.dataplane.port.memory.MemoryTunnelPort;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.stats.Counter;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two workers on threads under a steady stream of packets in both directions, while the
 * control thread deletes and re-creates peers and installs, swaps and deletes keys as fast
 * as it can: nothing crashes, no key is used after it was zeroed, and every retired key is
 * zeroed in the end.
 */
class GracePeriodStressTest {
    private static final int PEERS = 4;
    private static final long RUN_NANOS = 2_000_000_000L;

    @Test
    void deletingPeersAndKeysUnderTrafficNeverUsesAFreedKey() throws Exception {
        CheckingAeadEngine crypto = new CheckingAeadEngine(AeadEngines.select("auto"));
        Engine server = new Engine(new Engine.Config(Mode.MP, 2, 32, 2048, 2048), crypto);
        MemoryNetwork net = new MemoryNetwork();
        Remote serverAddr = TestNet.serverAddress();
        List<MemoryTunnelPort> tuns = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            MemoryTunnelPort tun = new MemoryTunnelPort();
            tuns.add(tun);
            server.addWorker(net.bind(serverAddr), tun); // both workers share the address, as reuseport does
        }
        KeyMaterial[] km = new KeyMaterial[PEERS + 1];
        Random r = new Random(5);
        for (int p = 1; p <= PEERS; p++) {
            byte[] b = new byte[256];
            r.nextBytes(b);
            km[p] = KeyMaterial.of(b);
            addPeer(server, p, km[p]);
        }
        server.start(i -> Waiter.PARK, i -> () -> { });

        AtomicBoolean running = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> generate(net, serverAddr, km, tuns, running), "traffic");
        traffic.start();

        long end = System.nanoTime() + RUN_NANOS;
        int ops = 0;
        while (System.nanoTime() < end) {
            int p = 1 + r.nextInt(PEERS);
            switch (r.nextInt(5)) {
                case 0 -> {
                    server.delPeer(p);
                    addPeer(server, p, km[p]);
                }
                case 1 -> TestNet.installKey(server, p, KeySlots.Slot.SECONDARY, 1, CipherAlg.AES_256_GCM, km[p], Role.SERVER);
                case 2 -> {
                    if (server.peer(p).keys().secondary() != null) {
                        server.swapKeys(p);
                    }
                }
                case 3 -> TestNet.installKey(server, p, KeySlots.Slot.PRIMARY, 0, CipherAlg.AES_256_GCM, km[p], Role.SERVER);
                default -> {
                    if (server.peer(p).keys().secondary() != null) {
                        server.delKey(p, KeySlots.Slot.SECONDARY);
                    }
                }
            }
            server.tick(System.nanoTime());
            ops++;
        }
        running.set(false);
        traffic.join(5000);
        long decrypted = server.stats().get(Counter.VPN_RX_PACKETS);
        long encrypted = server.stats().get(Counter.LINK_TX_PACKETS);
        server.close();
        for (int p = 1; p <= PEERS; p++) {
            km[p].close();
        }

        System.out.printf("grace stress: %d control operations, %d packets decrypted, %d encrypted, %d keys zeroed%n",
                ops, decrypted, encrypted, crypto.closedKeys.get());
        assertEquals(0, crypto.useAfterClose.get(), "a key was used after it was zeroed");
        assertTrue(ops > 200, "the control thread churned: " + ops);
        assertTrue(decrypted > 1000, "traffic flowed while it churned: " + decrypted);
        assertTrue(encrypted > 1000, "traffic flowed while it churned: " + encrypted);
        assertEquals(crypto.createdKeys.get(), crypto.closedKeys.get(), "every key was zeroed in the end");
    }

    private static void addPeer(Engine e, int p, KeyMaterial km) {
        e.newPeer(p, p, TestNet.clientAddress(p).toSocketAddress(), (Inet4Address) TestNet.ip("5.5.5." + (p + 1)), null, null, System.nanoTime());
        TestNet.installKey(e, p, KeySlots.Slot.PRIMARY, 0, CipherAlg.AES_256_GCM, km, Role.SERVER);
    }

    /** Plays the clients: encrypted packets towards the server, and host packets into its tunnel. */
    private static void generate(MemoryNetwork net, Remote serverAddr, KeyMaterial[] km, List<MemoryTunnelPort> tuns, AtomicBoolean running) {
        var engine = AeadEngines.select("auto");
        try (Arena arena = Arena.ofConfined(); AeadScratch s = engine.newScratch()) {
            KeySlots[] clients = new KeySlots[PEERS + 1];
            for (int p = 1; p <= PEERS; p++) {
                clients[p] = new KeySlots();
                clients[p].install(KeySlots.Slot.PRIMARY, KeySlot.create(engine, 0, CipherAlg.AES_256_GCM, km[p], Role.CLIENT, 64));
            }
            MemorySegment buf = arena.allocate(2048);
            long sent = 0;
            while (running.get()) {
                for (int p = 1; p <= PEERS; p++) {
                    byte[] ip = Packets.ipv4("5.5.5." + (p + 1), "5.5.5.1", 200);
                    MemorySegment.copy(ip, 0, buf, ValueLayout.JAVA_BYTE, 24, ip.length);
                    DataChannel.encrypt(clients[p].current(), p, s, buf, 0, ip.length);
                    net.inject(TestNet.clientAddress(p), serverAddr, buf.asSlice(0, ip.length + 24).toArray(ValueLayout.JAVA_BYTE));
                    tuns.get(p % 2).hostSends(Packets.ipv4("5.5.5.1", "5.5.5." + (p + 1), 200));
                    tuns.get(p % 2).delivered().clear();
                }
                if (++sent % 8 == 0) {
                    Thread.yield();
                }
                if (sent % 64 == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000); // bound the queues
                }
            }
            for (int p = 1; p <= PEERS; p++) {
                clients[p].primary().close();
            }
        }
    }
}

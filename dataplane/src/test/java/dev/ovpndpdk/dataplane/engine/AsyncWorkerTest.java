package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.DropReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker with an asynchronous crypto engine ({@link DeferredAeadEngine}: the crypto runs
 * when the queue is polled, so packets really are in flight across passes): every packet gets
 * exactly one disposition whatever the engine does — completes late, out of order, with an
 * error, refuses for a full queue, or is stopped — and no key is used after it was freed.
 */
class AsyncWorkerTest {
    private final AeadEngine sync = AeadEngines.select("auto");
    private DeferredAeadEngine deferred;
    private TestNet t;

    /** A server with the deferred engine, one client without (the wire format does not care). */
    private TestNet net(int depth, int minSize) {
        deferred = new DeferredAeadEngine(sync);
        t = new TestNet(sync, 1, CipherAlg.AES_256_GCM, new Offload(deferred, depth, minSize), null);
        return t;
    }

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
            assertEquals(0, deferred.useAfterClose.get(), "a session used after it was freed");
            assertEquals(0, deferred.openKeys.get(), "every session closed");
        }
    }

    /** IPv4 packet client → server with a sequence number in its first payload bytes. */
    private static byte[] up(int seq, int payload) {
        byte[] p = Packets.ipv4("5.5.5.2", "5.5.5.1", payload);
        ByteBuffer.wrap(p).putInt(28, seq);
        return p;
    }

    private static byte[] down(int seq, int payload) {
        byte[] p = Packets.ipv4("5.5.5.1", "5.5.5.2", payload);
        ByteBuffer.wrap(p).putInt(28, seq);
        return p;
    }

    private static List<Integer> seqs(java.util.Queue<byte[]> delivered) {
        List<Integer> out = new ArrayList<>();
        byte[] p;
        while ((p = delivered.poll()) != null) {
            out.add(ByteBuffer.wrap(p).getInt(28));
        }
        return out;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    private long serverDrops(DropReason r) {
        return t.server.engine.stats().drops(r);
    }

    private long submitted() {
        return t.server.engine.offloadCounters().get("crypto_submitted");
    }

    @Test
    void packetsCrossThroughTheEngineBothWaysByteExact() {
        net(256, 0);
        byte[] a = up(1, 1000);
        t.client(1).tun.hostSends(a);
        t.pump();
        assertArrayEquals(a, t.server.tun.delivered().poll());
        byte[] b = down(2, 1300);
        t.server.tun.hostSends(b);
        t.pump();
        assertArrayEquals(b, t.client(1).tun.delivered().poll());
        assertEquals(2, submitted(), "one decryption and one encryption went to the engine");
        assertEquals(2, t.server.engine.offloadCounters().get("crypto_completed"));
        assertEquals(0, t.server.worker().inFlight());
        assertEquals(1, t.server.engine.peer(1).stats().get(Counter.VPN_RX_PACKETS));
        assertEquals(1, t.server.engine.peer(1).stats().get(Counter.VPN_TX_PACKETS));
    }

    /**
     * Completions held back and reported last-first, across bursts (100 packets are four
     * receive bursts): the packets still leave in the order they came, and the replay window —
     * updated only at finish — sees them in order and drops nothing.
     */
    @Test
    void completionsOutOfOrderAcrossBurstsLeaveInOrder() {
        net(256, 0);
        deferred.holdUntil = 70;
        deferred.reversed = true;
        for (int i = 0; i < 100; i++) {
            t.client(1).tun.hostSends(up(i, 200));
        }
        for (int r = 0; r < 5; r++) {
            t.pump();
        }
        assertEquals(range(0, 100), seqs(t.server.tun.delivered()));
        assertEquals(0, serverDrops(DropReason.REPLAY));
        assertEquals(100, submitted());

        for (int i = 0; i < 100; i++) {
            t.server.tun.hostSends(down(i, 300));
        }
        for (int r = 0; r < 5; r++) {
            t.pump();
        }
        assertEquals(range(0, 100), seqs(t.client(1).tun.delivered()), "encrypted and sent in order");
        assertEquals(0, t.client(1).engine.stats().drops(DropReason.REPLAY));
    }

    @Test
    void authenticationFailureIsReportedAtCompletion() {
        net(256, 0);
        // The client seals with a key the server does not have under that key-id.
        TestNet.installKey(t.client(1).engine, 1, KeySlots.Slot.PRIMARY, 0, CipherAlg.AES_256_GCM, t.newMaterial(), Role.CLIENT);
        for (int i = 0; i < 5; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        assertEquals(5, serverDrops(DropReason.AUTH_FAILED));
        assertEquals(5, submitted(), "the engine found out, not the worker");
        assertTrue(t.server.tun.delivered().isEmpty());
        assertEquals(0, serverDrops(DropReason.REPLAY), "a forged packet-id never reaches the window");
    }

    @Test
    void keyDeletedWithPacketsInFlightDropsThemAndWaitsForTheEngine() {
        net(256, 0);
        deferred.stalled = true;
        for (int i = 0; i < 10; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        assertEquals(10, t.server.worker().inFlight());
        int before = (int) deferred.openKeys.get();
        t.server.engine.delKey(1, KeySlots.Slot.PRIMARY);
        for (int r = 0; r < 3; r++) {
            t.pump(); // passes and ticks: the grace period must not pass while the 10 are in flight
        }
        assertEquals(before, deferred.openKeys.get(), "the key's sessions are still there");
        deferred.stalled = false;
        t.pump();
        t.pump();
        assertEquals(10, serverDrops(DropReason.UNKNOWN_KEY));
        assertEquals(0, t.server.worker().inFlight());
        assertEquals(before - 2, deferred.openKeys.get(), "freed once nothing used them");
        assertEquals(0, deferred.useAfterClose.get());
    }

    @Test
    void peerDeletedWithPacketsInFlightDropsThem() {
        net(256, 0);
        deferred.stalled = true;
        for (int i = 0; i < 10; i++) {
            t.client(1).tun.hostSends(up(i, 100));
            t.server.tun.hostSends(down(i, 100));
        }
        t.pump();
        assertEquals(20, t.server.worker().inFlight());
        t.server.engine.delPeer(1);
        t.pump();
        deferred.stalled = false;
        t.pump();
        t.pump();
        assertEquals(10, serverDrops(DropReason.UNKNOWN_PEER));
        assertEquals(10, serverDrops(DropReason.NO_ROUTE));
        assertTrue(t.server.tun.delivered().isEmpty());
        assertEquals(0, deferred.useAfterClose.get());
    }

    /** The device's queue holds 8: the rest of a burst is a counted drop, never a spin, and nothing is lost unaccounted. */
    @Test
    void fullDeviceQueueIsACountedDrop() {
        net(256, 0);
        deferred.queueDepth = 8;
        deferred.stalled = true;
        for (int i = 0; i < 30; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        deferred.stalled = false;
        t.pump();
        t.pump();
        List<Integer> got = seqs(t.server.tun.delivered());
        assertEquals(range(0, 8), got);
        assertEquals(22, serverDrops(DropReason.CRYPTO_BUSY));
        assertEquals(22, t.server.engine.offloadCounters().get("crypto_busy"));
        assertEquals(0, t.server.worker().inFlight());
    }

    /** The worker's own ring is full (engine stalled, depth 32): the next burst waits in the port until there is room. */
    @Test
    void fullInFlightRingHoldsThePortBack() {
        net(32, 0);
        deferred.stalled = true;
        for (int i = 0; i < 50; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        assertEquals(32, t.server.worker().inFlight(), "one burst taken; the next has no room and waits in the port");
        deferred.stalled = false;
        for (int r = 0; r < 3; r++) {
            t.pump();
        }
        assertEquals(range(0, 50), seqs(t.server.tun.delivered()), "every packet, in order, none overwritten");
        assertEquals(0, serverDrops(DropReason.CRYPTO_BUSY), "backpressure, not drops");
    }

    /**
     * The same on send: the next tunnel receive goes into another batch of the ring, never
     * into the slots of packets still being sealed (it did, and sealed packets left with
     * later packets' bytes).
     */
    @Test
    void fullInFlightRingOnSendHoldsTheTunnelBack() {
        net(32, 0);
        deferred.stalled = true;
        for (int i = 0; i < 50; i++) {
            t.server.tun.hostSends(down(i, 100));
        }
        t.pump();
        assertEquals(32, t.server.worker().inFlight());
        deferred.stalled = false;
        for (int r = 0; r < 3; r++) {
            t.pump();
        }
        assertEquals(range(0, 50), seqs(t.client(1).tun.delivered()), "every packet, in order, none overwritten");
        assertEquals(0, serverDrops(DropReason.CRYPTO_BUSY));
    }

    @Test
    void engineErrorsAreCountedAsCryptoFailed() {
        net(256, 0);
        deferred.failNext.set(3);
        for (int i = 0; i < 10; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        assertEquals(range(3, 10), seqs(t.server.tun.delivered()));
        assertEquals(3, serverDrops(DropReason.CRYPTO_FAILED));
        assertEquals(3, t.server.engine.offloadCounters().get("crypto_failed"));
    }

    /** Below the threshold packets are opened in software, but in their place: order holds. */
    @Test
    void smallPacketsStayInSoftwareAndInOrder() {
        net(256, 200);
        deferred.holdUntil = 10;
        for (int i = 0; i < 20; i++) {
            t.client(1).tun.hostSends(up(i, i % 2 == 0 ? 60 : 1000));
        }
        t.pump();
        t.pump();
        assertEquals(range(0, 20), seqs(t.server.tun.delivered()));
        assertEquals(10, submitted(), "only the large ones went to the engine");
    }

    @Test
    void engineStoppedWithWorkInFlightAccountsForEveryPacket() {
        net(256, 0);
        deferred.stalled = true;
        for (int i = 0; i < 12; i++) {
            t.client(1).tun.hostSends(up(i, 100));
        }
        t.pump();
        assertEquals(12, t.server.worker().inFlight());
        t.server.engine.close(); // workers stop, in-flight work abandoned before keys are freed
        assertEquals(12, serverDrops(DropReason.CRYPTO_FAILED));
        assertTrue(deferred.queues.get(0).closed);
    }

    /** A full session pool refuses NEW_KEY with NO_SPACE (ENOSPC on the control socket) and changes nothing. */
    @Test
    void aFullSessionPoolRefusesTheKeyAndChangesNothing() {
        net(256, 0);
        deferred.sessionsLeft.set(1); // the encrypt session fits, the decrypt one does not
        long open = deferred.openKeys.get();
        RequestException e = assertThrows(RequestException.class, () -> TestNet.installKey(t.server.engine, 1,
                KeySlots.Slot.SECONDARY, 1, CipherAlg.AES_256_GCM, t.newMaterial(), Role.SERVER));
        assertEquals(RequestException.Kind.NO_SPACE, e.kind());
        assertEquals(open, deferred.openKeys.get(), "the session made first was closed again");
        assertEquals(null, t.server.engine.peer(1).keys().secondary());
        deferred.sessionsLeft.set(Long.MAX_VALUE);
        byte[] a = up(1, 200);
        t.client(1).tun.hostSends(a);
        t.pump();
        assertArrayEquals(a, t.server.tun.delivered().poll(), "the primary key still works");
    }

    /**
     * A replayed packet costs no device request (read-only check before submit); two copies
     * of one id in flight together both pass that check, and the window, updated only at
     * finish, drops the second.
     */
    @Test
    void replaysAreDroppedBeforeTheEngineAndAfterIt() {
        net(256, 0);
        java.util.List<byte[]> wire = new java.util.ArrayList<>();
        t.net.tap(wire::add); // what the client sends, as it leaves
        t.client(1).tun.hostSends(up(1, 200));
        t.pump();
        assertEquals(1, t.server.tun.delivered().size());
        byte[] sent = wire.get(wire.size() - 1);
        long before = submitted();
        t.net.inject(TestNet.clientAddress(1), TestNet.serverAddress(), sent); // a replay of a finished one
        t.pump();
        assertEquals(1, serverDrops(DropReason.REPLAY));
        assertEquals(before, submitted(), "the replay never reached the engine");

        deferred.stalled = true;
        t.client(1).tun.hostSends(up(2, 200));
        t.pump();
        byte[] second = wire.get(wire.size() - 1);
        t.net.inject(TestNet.clientAddress(1), TestNet.serverAddress(), second); // its copy, while it is in flight
        t.pump();
        deferred.stalled = false;
        t.pump();
        t.pump();
        assertEquals(2, serverDrops(DropReason.REPLAY), "the copy, at finish");
        assertEquals(2, t.server.engine.stats().get(Counter.VPN_RX_PACKETS));
    }

    /** Keepalives and OCC exit come back through the engine and are consumed, not delivered. */
    @Test
    void keepaliveThroughTheEngineIsConsumed() {
        net(256, 0);
        long now = t.now;
        t.client(1).engine.setKeepalive(1, 1, 60, now);
        t.advanceSeconds(2);
        t.pump();
        t.pump();
        assertEquals(1, t.server.engine.stats().get(Counter.KEEPALIVE_RX));
        assertTrue(t.server.tun.delivered().isEmpty());
    }
}

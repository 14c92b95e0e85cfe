package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.AeadLimits;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AEAD usage limits (docs/data-channel.md, "Key usage limits") through real workers. */
class KeyUsageLimitTest {
    private TestNet t;

    @AfterEach
    void close() {
        if (t != null) {
            t.close();
        }
    }

    private KeySlot serverKey() {
        return t.server.engine.key(1, KeySlots.Slot.PRIMARY);
    }

    @Test
    void everySealedAndOpenedPacketCountsItsBlocksAndOne() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM);
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 100)); // 120 bytes: 8 blocks
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.1", 33)); // 53 bytes: 4 blocks
        t.pump();
        assertEquals((8 + 1) + (4 + 1), serverKey().aeadUsage());
        assertEquals(0, serverKey().failedVerifications());
    }

    @Test
    void packetsThroughAnAsynchronousEngineCountTheSame() {
        DeferredAeadEngine deferred = new DeferredAeadEngine(AeadEngines.select("auto"));
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM, new Offload(deferred, 64, 0), null);
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 100));
        t.client(1).tun.hostSends(Packets.ipv4("5.5.5.2", "5.5.5.1", 33));
        t.pump();
        t.pump();
        assertEquals(1, t.server.tun.delivered().size());
        assertEquals((8 + 1) + (4 + 1), serverKey().aeadUsage());
    }

    @Test
    void aesGcmKeyAsksForRotationOnceAtSevenEighthsOfItsLimit() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM);
        long at = AeadLimits.rotateAt(CipherAlg.AES_256_GCM);
        serverKey().setAeadUsage(at - 2, 0);
        t.pump();
        assertTrue(t.server.events.isEmpty(), t.server.events.toString());
        assertNull(serverKey().rotationReason());

        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 20)); // usage 2 more: at the threshold
        t.pump();
        assertEquals(List.of(new Notification.KeyRotate(1, 0)), t.server.events);
        assertTrue(serverKey().rotationReason().startsWith("aead usage"), serverKey().rotationReason());

        // Once per key; and the key keeps working (OpenVPN replaces it).
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 20));
        t.pump();
        assertEquals(1, t.server.events.size());
        assertEquals(2, t.client(1).tun.delivered().size(), "both packets arrive");
    }

    @Test
    void chachaPolyHasNoUsageLimit() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.CHACHA20_POLY1305);
        serverKey().setAeadUsage(Long.MAX_VALUE / 2, 0);
        t.server.tun.hostSends(Packets.ipv4("5.5.5.1", "5.5.5.2", 20));
        t.pump();
        assertTrue(t.server.events.isEmpty(), t.server.events.toString());
    }

    @Test
    void failedVerificationsAreCountedAndAskForRotationAtTheirLimit() {
        t = new TestNet(AeadEngines.select("auto"), 1, CipherAlg.AES_256_GCM);
        serverKey().setAeadUsage(0, AeadLimits.FAILED_VERIFICATIONS_ROTATE - 1);
        // A data packet for peer 1, key-id 0, whose tag cannot verify.
        byte[] forged = new byte[24 + 40];
        forged[0] = (byte) (9 << 3);
        forged[3] = 1;
        forged[7] = 5; // packet-id 5
        t.net.inject(TestNet.clientAddress(1), TestNet.serverAddress(), forged);
        t.pump();
        assertEquals(AeadLimits.FAILED_VERIFICATIONS_ROTATE, serverKey().failedVerifications());
        assertEquals(List.of(new Notification.KeyRotate(1, 0)), t.server.events);
        assertTrue(serverKey().rotationReason().endsWith("failed verifications"), serverKey().rotationReason());
    }
}

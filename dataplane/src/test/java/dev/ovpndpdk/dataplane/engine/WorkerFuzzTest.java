package dev.ovpndpdk.dataplane.engine;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.port.memory.MemoryNetwork;
import dev.ovpndpdk.dataplane.port.memory.MemoryTunnelPort;
import dev.ovpndpdk.dataplane.port.memory.MemoryWirePort;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.CounterSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the data path as a worker sees it (docs/fuzzing.md): a server
 * {@link Worker} in multi-peer mode on the memory ports, with peer 1 keyed (AES-256-GCM,
 * VPN 5.5.5.2) and peer 2 without a key (VPN 5.5.5.3). The fuzzer's bytes are a script of
 * steps: raw datagrams from known and unknown addresses; datagrams sealed with peer 1's real
 * client key around fuzzer-chosen plaintext (bare, behind an IPv4 header from 5.5.5.2, the
 * keepalive ping, OCC exit) and then maybe mutated; IP packets from the host into the tunnel;
 * a worker pass; the key deleted and installed again; with or without a slow path (an OpenVPN
 * socket). Invariants:
 * <ul>
 * <li>no exception escapes the worker;
 * <li>every packet in is accounted for exactly: datagrams and host packets in = delivered to
 *     the tunnel + sent on the wire + to the slow path + consumed (ping, exit) + dropped with
 *     a reason; the slow-path counter matches what the slow path got;
 * <li>nothing forged reaches the tunnel: every delivered packet is a plaintext sealed
 *     unmodified with the real key.
 * </ul>
 * Regression inputs: {@code WorkerFuzzTestInputs/everyPacketIsAccountedFor/}.
 */
class WorkerFuzzTest {
    private static final AeadEngine CRYPTO = AeadEngines.select("auto");
    private static final KeyMaterial KM = KeyMaterial.of(pattern(256));
    private static final KeySlot CLIENT = KeySlot.create(CRYPTO, 0, CipherAlg.AES_256_GCM, KM, Role.CLIENT, 2048);
    private static final AeadScratch SCRATCH = CRYPTO.newScratch();
    private static final MemorySegment SEAL = Arena.global().allocate(4096, 64);
    /** Below every port's packet size: the memory ports skip larger ones without a count. */
    private static final int MAX_DATAGRAM = 1500;
    private static final Remote SERVER = TestNet.serverAddress();
    private static final Remote[] FROM = {TestNet.clientAddress(1), TestNet.clientAddress(2),
        Remote.of(new java.net.InetSocketAddress(TestNet.ip("192.0.2.77"), 5000)),
        Remote.of(new java.net.InetSocketAddress(TestNet.ip("2001:db8::7"), 1194))};
    private static final int[] PEER_IDS = {1, 2, 3, Wire.PEER_ID_UNDEF};
    private static final byte[][] DESTINATIONS = {ip4("5.5.5.2"), ip4("5.5.5.3"), ip4("8.8.8.8")};

    @FuzzTest
    void everyPacketIsAccountedFor(FuzzedDataProvider data) {
        MemoryNetwork net = new MemoryNetwork();
        long[] sent = {0};
        net.tap(p -> sent[0]++);
        MemoryWirePort wire = net.bind(SERVER);
        MemoryTunnelPort tun = new MemoryTunnelPort();
        Engine engine = new Engine(Engine.Config.defaults(Mode.MP, 1), CRYPTO);
        Set<ByteBuffer> sealed = new HashSet<>();
        long in = 0;
        long injected = 0;
        long now = 1_000_000_000L;
        try {
            Worker worker = engine.addWorker(wire, tun);
            engine.newPeer(1, 1, TestNet.clientAddress(1).toSocketAddress(), (Inet4Address) TestNet.ip("5.5.5.2"), null, null, now);
            engine.newPeer(2, 2, TestNet.clientAddress(2).toSocketAddress(), (Inet4Address) TestNet.ip("5.5.5.3"), null, null, now);
            installKey(engine);
            boolean keyed = true;
            wire.slowPathEnabled(data.consumeBoolean()); // false: no OpenVPN socket, junk is dropped
            for (int step = 0; step < 64 && data.remainingBytes() > 0; step++) {
                switch (data.consumeInt(0, 5)) {
                    case 0 -> {
                        Remote from = data.pickValue(FROM);
                        net.inject(from, SERVER, bytes(data, MAX_DATAGRAM));
                        in++;
                        injected++;
                    }
                    case 1 -> {
                        Remote from = data.consumeBoolean() ? data.pickValue(FROM) : FROM[0];
                        net.inject(from, SERVER, sealed(data, sealed));
                        in++;
                        injected++;
                    }
                    case 2 -> {
                        tun.hostSends(hostPacket(data));
                        in++;
                    }
                    case 3 -> {
                        if (keyed) {
                            engine.delKey(1, KeySlots.Slot.PRIMARY);
                            keyed = false;
                        }
                    }
                    case 4 -> {
                        if (!keyed) {
                            installKey(engine);
                            keyed = true;
                        }
                    }
                    default -> worker.doWork(now += 1_000_000);
                }
            }
            for (int round = 0; round < 8; round++) {
                worker.doWork(now += 1_000_000);
            }
            CounterSet s = engine.stats();
            long wireSent = sent[0] - injected;
            long out = tun.delivered().size() + wireSent + wire.slowPath().size()
                    + s.get(Counter.KEEPALIVE_RX) + s.get(Counter.EXIT_NOTIFY_RX) + s.totalDrops();
            long total = in;
            assertEquals(total, out, () -> "in " + total + " != delivered " + tun.delivered().size() + " + sent " + wireSent
                    + " + slow path " + wire.slowPath().size() + " + consumed + drops " + s.dropSnapshot());
            assertEquals(wire.slowPath().size(), s.get(Counter.SLOW_PATH));
            for (byte[] p : tun.delivered()) {
                assertTrue(sealed.contains(ByteBuffer.wrap(p)), "delivered a packet nobody sealed");
            }
        } finally {
            engine.close();
        }
    }

    /**
     * A datagram sealed with peer 1's client key; its plaintext kept in {@code genuine} unless
     * it was changed after sealing. Choices come before bytes: FuzzedDataProvider takes numbers
     * from the end of the input and bytes from the front, and a greedy byte run would leave
     * every later choice at its minimum.
     */
    private static byte[] sealed(FuzzedDataProvider data, Set<ByteBuffer> genuine) {
        int kind = data.consumeInt(0, 3);
        int peerId = data.consumeBoolean() ? data.pickValue(PEER_IDS) : 1;
        long packetId = data.consumeBoolean() ? data.consumeLong(0, 0xFFFF_FFFFL) : data.consumeLong(1, 64);
        int flips = data.consumeInt(0, 3);
        boolean resize = data.consumeBoolean();
        byte[] plain = switch (kind) {
            case 0 -> Wire.PING.clone();
            case 1 -> {
                byte[] occ = new byte[Wire.OCC_MAGIC.length + 1];
                System.arraycopy(Wire.OCC_MAGIC, 0, occ, 0, Wire.OCC_MAGIC.length);
                occ[occ.length - 1] = (byte) Wire.OCC_EXIT;
                yield occ;
            }
            case 2 -> ipv4(ip4("5.5.5.2"), data.pickValue(DESTINATIONS), bytes(data, MAX_DATAGRAM - 100));
            default -> bytes(data, MAX_DATAGRAM - 100);
        };
        MemorySegment.copy(plain, 0, SEAL, ValueLayout.JAVA_BYTE, Wire.CIPHERTEXT_OFFSET, plain.length);
        DataChannel.seal(CLIENT, peerId, packetId, SCRATCH, SEAL, 0, plain.length);
        byte[] original = SEAL.asSlice(0, Wire.CIPHERTEXT_OFFSET + plain.length).toArray(ValueLayout.JAVA_BYTE);
        byte[] d = original.clone();
        for (int f = 0; f < flips; f++) {
            int at = data.consumeInt(0, d.length - 1);
            d[at] ^= (byte) data.consumeInt(1, 255); // two flips of one byte may cancel: compared below
        }
        if (resize) {
            d = java.util.Arrays.copyOf(d, data.consumeInt(0, d.length + 16));
        }
        if (java.util.Arrays.equals(d, original)) {
            genuine.add(ByteBuffer.wrap(plain));
        }
        return d;
    }

    private static byte[] hostPacket(FuzzedDataProvider data) {
        return data.consumeBoolean()
                ? ipv4(ip4("10.0.0.1"), data.pickValue(DESTINATIONS), bytes(data, MAX_DATAGRAM - 100))
                : bytes(data, MAX_DATAGRAM - 100);
    }

    /** A length first, then that many bytes (fewer at the end of the input). */
    private static byte[] bytes(FuzzedDataProvider data, int max) {
        return data.consumeBytes(data.consumeInt(0, max));
    }

    /** An IPv4 header (protocol 253, for experiments) in front of {@code payload}; lengths right, checksum not. */
    private static byte[] ipv4(byte[] src, byte[] dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putInt(0)
                .put((byte) 64).put((byte) 253).putShort((short) 0).put(src).put(dst).put(payload);
        return b.array();
    }

    private static void installKey(Engine e) {
        TestNet.installKey(e, 1, KeySlots.Slot.PRIMARY, 0, CipherAlg.AES_256_GCM, KM, Role.SERVER);
    }

    private static byte[] ip4(String s) {
        return TestNet.ip(s).getAddress();
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37 + 11);
        }
        return b;
    }
}

package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.dpdk.RteEal;
import dev.ovpndpdk.bindings.dpdk.RteEthRing;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteEthConf;
import dev.ovpndpdk.bindings.dpdk.RteEthdev;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMbufCore;
import dev.ovpndpdk.bindings.dpdk.RteMempool;
import dev.ovpndpdk.bindings.dpdk.RteRing;
import dev.ovpndpdk.bindings.libc.ProcessIds;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Worker;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.port.offload.InetChecksum;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.dataplane.stats.Counter;
import dev.ovpndpdk.dataplane.stats.DropReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The DPDK ports under pressure, with real traffic: a full transmit ring and an exhausted
 * mbuf pool must end as counted drops — never an exception, never a leaked mbuf.
 *
 * <p>Two sides, A (10.77.0.1) and B (10.77.0.2), each a {@link DpdkBackend} over three
 * {@code net_ring} ports built with {@code rte_eth_from_rings} (wire, tunnel, exception), a
 * pool of its own and an engine with peer 1 and a key. Every port has a separate receive
 * and transmit ring, so the test plays the cable, the host's TUN and the kernel behind the
 * exception interface: it writes packets into receive rings, moves frames from one side's
 * wire transmit ring to the other's receive ring when it chooses to, and reads what the
 * sides deliver. A transmit ring the test does not drain fills up, as a NIC queue does.
 *
 * <p>EAL can be initialised once per process: everything that needs it is in this class.
 * Workers are driven by hand ({@link Worker#doWork}) on the test thread, so a failure in the
 * fast path surfaces here as an exception, and counts are exact; one phase runs the real
 * worker threads. Skipped where DPDK or its ring driver is not installed.
 */
@Timeout(120)
class DpdkDropsTest {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final String PREFIX = "ovddrops" + ProcessHandle.current().pid();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final int POOL = 1023;
    private static final int PACKET = 200;

    private static boolean ealUp;
    /** Why these tests cannot run here; null when they can. */
    private static String unavailable;
    private static AeadEngine crypto;

    @BeforeAll
    static void initEal() throws Exception {
        if (!Dpdk.isAvailable()) {
            unavailable = "DPDK port drop tests not run: " + Dpdk.unavailableReason();
            return;
        }
        try {
            SymbolLookup.libraryLookup(RteEthRing.LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            unavailable = "DPDK port drop tests not run: DPDK's ring driver " + RteEthRing.LIBRARY + " is not installed"
                    + " (apt-get install dpdk)";
            return;
        }
        List<String> args = List.of("--no-huge", "-m", "512", "--no-pci", "--file-prefix=" + PREFIX,
                "--log-level=*:warning", "--no-telemetry");
        int rc = DpdkBackend.initEal(args);
        assertEquals(0, rc, () -> "rte_eal_init: " + RteErrno.rte_strerror(rc));
        ealUp = true;
        crypto = AeadEngines.select("auto");
    }

    /** Each test reports itself skipped, with the reason, where DPDK is missing. */
    @BeforeEach
    void needsDpdk() {
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    static void cleanupEal() throws IOException {
        if (!ealUp) {
            return;
        }
        RteEal.rte_eal_cleanup();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path base = ProcessIds.euid() == 0 || xdg == null ? Path.of("/var/run/dpdk") : Path.of(xdg, "dpdk");
        Path dir = base.resolve(PREFIX);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // --- the scenarios ----------------------------------------------------------------------

    /**
     * Full transmit rings on all three ports: the wire (TX_FULL, and the exception frames from
     * the kernel dropped), the tunnel (TX_FULL on the receiving side) and the exception
     * interface (frames to the kernel dropped, a control packet that finds it full counted as
     * not delivered). A driver does not count a burst it refused ({@code oerrors} is for
     * transmit errors; DPDK leaves a full queue to the application), so these counters are the
     * only record. Afterwards the workers go on —
     * by hand and as threads — and every mbuf of both pools is back.
     */
    @Test
    void fullTransmitRingsAreCountedDrops() throws Exception {
        try (KeyMaterial km = material(); Rig rig = new Rig()) {
            Side a = rig.side("a", 1, POOL, 64, 128, 8, km, Role.SERVER);
            Side b = rig.side("b", 2, POOL, 128, 32, 128, km, Role.CLIENT);
            handshake(a, b);
            long txFullA = a.drops(DropReason.TX_FULL);
            long linkTxA = a.count(Counter.LINK_TX_PACKETS);

            // The exception interface's ring holds 7: ten ARP requests for it, and a control
            // packet for the OpenVPN process behind it.
            for (int i = 0; i < 10; i++) {
                a.wireRx.put(arpRequest(b, a));
            }
            a.wireRx.put(controlPacket(b, a));
            a.run(4);
            assertEquals(7, a.counter("dpdk_exception_to_kernel_packets"));
            assertEquals(4, a.counter("dpdk_exception_to_kernel_drops"), "3 ARP and the control packet");
            assertEquals(txFullA + 1, a.drops(DropReason.TX_FULL), "the control packet found no room on the way to OpenVPN");
            txFullA++;
            assertEquals(0, a.drops(DropReason.NOT_DATA), "…which is a full queue, not a packet that is not data");
            assertEquals(0, a.counter("dpdk_exception_oerrors"), "not the driver's to count");
            assertEquals(7, a.excTx.drain(), "what the kernel got");

            // Nobody drains a's wire ring (63 places): 100 packets into a's tunnel.
            for (int i = 0; i < 100; i++) {
                a.tunRx.put(a.packet(i));
            }
            a.run(10);
            assertEquals(0, a.tunRx.count(), "a's worker read every packet");
            assertEquals(63, a.count(Counter.LINK_TX_PACKETS) - linkTxA);
            assertEquals(37, a.drops(DropReason.TX_FULL) - txFullA);
            assertEquals(63, a.wireTx.count());

            // What the kernel sends on the exception interface finds the wire ring full too.
            for (int i = 0; i < 3; i++) {
                a.excRx.put(arpRequest(a, b));
            }
            a.run(2);
            assertEquals(0, a.counter("dpdk_exception_from_kernel_packets"));
            assertEquals(3, a.counter("dpdk_exception_from_kernel_drops"));

            // The cable carries the 63 to b, whose tunnel ring holds 31.
            long vpnRxB = b.count(Counter.VPN_RX_PACKETS);
            long txFullB = b.drops(DropReason.TX_FULL);
            assertEquals(63, cable(a, b));
            b.run(10);
            assertEquals(31, b.count(Counter.VPN_RX_PACKETS) - vpnRxB);
            assertEquals(32, b.drops(DropReason.TX_FULL) - txFullB);
            assertEquals(0, b.drops(DropReason.AUTH_FAILED) + b.drops(DropReason.REPLAY));
            assertEquals(IntStream.range(0, 31).boxed().toList(), b.tunTx.drainPackets(),
                    "a's wire ring took 0..62 of the 100, b's tunnel ring 0..30 of those");

            // The workers go on once the rings drain: by hand ...
            for (int i = 0; i < 10; i++) {
                a.tunRx.put(a.packet(1000 + i));
            }
            a.run(4);
            assertEquals(10, cable(a, b));
            b.run(4);
            assertEquals(List.of(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009), b.tunTx.drainPackets());

            // ... and as the daemon runs them, on their own threads.
            a.engine.start(a.backend::waiter, w -> () -> { });
            b.engine.start(b.backend::waiter, w -> () -> { });
            for (int i = 0; i < 20; i++) {
                a.tunRx.put(a.packet(2000 + i));
            }
            List<Integer> got = new ArrayList<>();
            for (int round = 0; round < 10_000 && got.size() < 20; round++) {
                cable(a, b);
                got.addAll(b.tunTx.drainPackets());
                Thread.sleep(1);
            }
            assertEquals(IntStream.range(2000, 2020).boxed().toList(), got, "through the running workers");
            assertEquals(txFullA + 37, a.drops(DropReason.TX_FULL), "no new drops once the rings drained");
            assertEquals(txFullB + 32, b.drops(DropReason.TX_FULL));
        }
        // Rig.close asserted both pools back at their starting in-use count.
    }

    /**
     * Side a's pool exhausted: the test holds every free mbuf. The zero-copy paths need
     * none (b's packets still reach a's tunnel; a's packets, written into mbufs the test
     * hands over, still reach b; frames still go to the kernel and back); what has to
     * allocate — a keepalive ping, an ARP request — is counted ({@code no_buffer},
     * {@code dpdk_neighbour_request_drops}). Given the mbufs back, the same work succeeds,
     * and the pool's in-use count ends where it started.
     */
    /**
     * One burst holding every disposition a received packet can have — delivered, consumed
     * (a keepalive), to the slow path, dropped as DATA_V1, unknown peer, failed authentication
     * and replay — and a tunnel burst with one packet sent and one dropped (not IP). After ONE
     * pass of the worker every mbuf is where its disposition put it: in a ring or back in the
     * pool, none held for a later pass.
     */
    @Test
    void everyDispositionIsCarriedOutInTheSamePass() throws Exception {
        try (KeyMaterial km = material(); Rig rig = new Rig()) {
            Side a = rig.side("a", 1, POOL, 128, 128, 128, km, Role.SERVER);
            Side b = rig.side("b", 2, POOL, 128, 128, 128, km, Role.CLIENT);
            handshake(a, b);
            // Two data packets and a keepalive from b, as b's worker sends them.
            b.tunRx.put(b.packet(1));
            b.tunRx.put(b.packet(2));
            b.run(2);
            long t0 = System.nanoTime();
            b.engine.setKeepalive(1, 1, 60, t0);
            b.engine.tick(t0 + 2_000_000_000L);
            b.run(2);
            long first = b.wireTx.take();
            long second = b.wireTx.take();
            long ping = b.wireTx.take();
            assertNotEquals(0, ping, "b sent two packets and a ping");
            int outer = Frames.outerLength(false);

            a.wireRx.put(first);                                       // delivered
            a.wireRx.put(copy(b, first, f -> { }));                    // replayed
            a.wireRx.put(copy(b, second, f -> ALL.set(ValueLayout.JAVA_BYTE, f + outer,
                    (byte) (Wire.P_DATA_V1 << Wire.OPCODE_SHIFT))));   // DATA_V1
            a.wireRx.put(copy(b, second, f -> ALL.set(ValueLayout.JAVA_BYTE, f + outer + 3, (byte) 0x42))); // unknown peer-id
            a.wireRx.put(copy(b, second, f -> ALL.set(ValueLayout.JAVA_BYTE, f + outer + 8,
                    (byte) ~ALL.get(ValueLayout.JAVA_BYTE, f + outer + 8)))); // a tag bit flipped
            RteMbuf.rte_pktmbuf_free(second);
            a.wireRx.put(ping);                                        // consumed
            a.wireRx.put(controlPacket(b, a));                         // slow path
            a.tunRx.put(a.packet(3));                                  // sent
            a.tunRx.put(a.frame(f -> {                                 // not IP
                ALL.set(BE_INT, f, 0x6000_0000);
                return 20;
            }));
            int before = RteMempool.rte_mempool_in_use_count(a.pool) + RteMempool.rte_mempool_in_use_count(b.pool);

            a.worker.doWork(System.nanoTime()); // one pass: wire → tunnel, tunnel → wire

            assertEquals(List.of(1), a.tunTx.drainPackets(), "delivered");
            assertEquals(1, a.excTx.drain(), "the control packet, to the kernel");
            assertEquals(1, a.wireTx.drain(), "packet 3, encrypted");
            assertEquals(1, a.drops(DropReason.REPLAY));
            assertEquals(1, a.drops(DropReason.DATA_V1));
            assertEquals(1, a.drops(DropReason.UNKNOWN_PEER));
            assertEquals(1, a.drops(DropReason.AUTH_FAILED));
            assertEquals(1, a.drops(DropReason.NOT_IP));
            assertEquals(1, a.count(Counter.KEEPALIVE_RX));
            int after = RteMempool.rte_mempool_in_use_count(a.pool) + RteMempool.rte_mempool_in_use_count(b.pool);
            assertEquals(before - 9, after, "all nine mbufs back in their pools after one pass");
        }
    }

    /** A copy of frame {@code m} in a fresh mbuf of {@code s}'s pool, then changed by {@code change}. */
    private static long copy(Side s, long m, java.util.function.LongConsumer change) {
        int len = RteMbufCore.data_len(m);
        long from = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
        return s.frame(f -> {
            MemorySegment.copy(ALL, from, ALL, f, len);
            change.accept(f);
            return len;
        });
    }

    @Test
    void mbufExhaustionIsCountedAndEveryMbufComesBack() throws Exception {
        try (KeyMaterial km = material(); Rig rig = new Rig()) {
            Side a = rig.side("a", 1, 127, 128, 128, 128, km, Role.SERVER);
            Side b = rig.side("b", 2, POOL, 128, 128, 128, km, Role.CLIENT);
            Held held = a.holdEveryMbuf();
            assertEquals(127, held.size());
            assertEquals(0, a.counter("dpdk_mbufs_free"));
            assertEquals(127 + a.startInUse, a.counter("dpdk_mbufs_in_use"));

            // a does not know b's MAC and has no mbuf to ask with.
            a.tunRx.put(a.packet(held.take(), 1));
            a.run(2);
            assertEquals(1, a.drops(DropReason.NO_NEIGHBOUR));
            assertEquals(0, a.counter("dpdk_neighbour_requests"));
            assertEquals(1, a.counter("dpdk_neighbour_request_drops"), "the ARP request that found no mbuf");
            assertEquals(0, a.wireTx.count());

            // b learns a's MAC from an ARP request of a's (as the kernel behind a's exception
            // interface would send it), and sends; a needs no mbuf to receive and deliver.
            b.wireRx.put(b.frame(f -> Frames.writeArpRequest(f, a.me, b.me.lo())));
            for (int i = 0; i < 5; i++) {
                b.tunRx.put(b.packet(i));
            }
            b.run(4);
            assertEquals(1, b.counter("dpdk_exception_to_kernel_packets"), "b's kernel got the ARP request");
            assertEquals(1, b.excTx.drain());
            assertEquals(5, cable(b, a));
            a.run(4);
            assertEquals(List.of(0, 1, 2, 3, 4), a.tunTx.drainPackets(), "delivered with a's pool empty");

            // a knows b now; a's own packets, in mbufs the test gives up, go out without allocating.
            for (int i = 0; i < 5; i++) {
                a.tunRx.put(a.packet(held.take(), 10 + i));
            }
            a.run(4);
            assertEquals(5, cable(a, b));
            b.run(4);
            assertEquals(List.of(10, 11, 12, 13, 14), b.tunTx.drainPackets());

            // Frames to and from the kernel need no mbuf either.
            a.wireRx.put(arpRequest(b, a));
            a.excRx.put(a.frame(held.take(), f -> Frames.writeArpRequest(f, a.me, b.me.lo())));
            a.run(4);
            assertEquals(1, a.counter("dpdk_exception_to_kernel_packets"));
            assertEquals(1, a.counter("dpdk_exception_from_kernel_packets"));
            assertEquals(1, a.excTx.drain());
            assertEquals(1, cable(a, b));
            b.run(2);
            assertEquals(1, b.excTx.drain(), "a's kernel's ARP request reached b's kernel");

            // A keepalive ping is built in the worker's memory and copied into a fresh mbuf: none.
            // (Mbufs the ports gave back since, after their burst, are taken again first.)
            a.run(2);
            held.refill(a.pool);
            assertEquals(0, a.counter("dpdk_mbufs_free"));
            long t0 = System.nanoTime();
            a.engine.setKeepalive(1, 1, 60, t0);
            a.engine.tick(t0 + 2_000_000_000L);
            a.run(2);
            assertEquals(1, a.drops(DropReason.NO_BUFFER), "the ping that found no mbuf");
            assertEquals(0, a.count(Counter.KEEPALIVE_TX));
            assertEquals(0, a.wireTx.count());
            assertEquals(0, a.counter("dpdk_wire_rx_nombuf"), "the ring driver allocates nothing to receive");

            // The mbufs come back: the next ping goes, and b consumes it.
            held.freeAll();
            assertEquals(a.startInUse, RteMempool.rte_mempool_in_use_count(a.pool), "nothing else held");
            a.engine.tick(t0 + 4_000_000_000L);
            a.run(2);
            assertEquals(1, a.count(Counter.KEEPALIVE_TX));
            assertEquals(1, a.drops(DropReason.NO_BUFFER));
            assertEquals(1, cable(a, b));
            b.run(2);
            assertEquals(1, b.count(Counter.KEEPALIVE_RX));
        }
    }

    /**
     * Frames the port marked with a bad IPv4 header or UDP checksum (a NIC with receive
     * checksum offload) are not decrypted: their addresses cannot be trusted to float a peer.
     * They go to the kernel, which checks them itself and drops them, and are counted
     * ({@code dpdk_checksum_bad}); good, unchecked and "none" marks pass.
     */
    @Test
    void framesWithBadChecksumsGoToTheKernel() throws Exception {
        try (KeyMaterial km = material(); Rig rig = new Rig()) {
            Side a = rig.side("a", 1, POOL, 128, 128, 128, km, Role.SERVER);
            Side b = rig.side("b", 2, POOL, 128, 128, 128, km, Role.CLIENT);
            handshake(a, b);
            long kernel = a.counter("dpdk_exception_to_kernel_packets");
            long[] marks = {
                RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_BAD,
                RteMbufCore.RTE_MBUF_F_RX_IP_CKSUM_BAD | RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                RteMbufCore.RTE_MBUF_F_RX_IP_CKSUM_GOOD | RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                RteMbufCore.RTE_MBUF_F_RX_L4_CKSUM_MASK, // "none": the checksum is not there to check
                0, // unknown: the port did not check
            };
            for (int i = 0; i < marks.length; i++) {
                b.tunRx.put(b.packet(100 + i));
            }
            b.run(2);
            for (long mark : marks) {
                long m = b.wireTx.take();
                assertNotEquals(0, m);
                RteMbufCore.ol_flags(m, mark);
                a.wireRx.put(m);
            }
            a.run(2);
            assertEquals(List.of(102, 103, 104), a.tunTx.drainPackets());
            assertEquals(2, a.counter("dpdk_checksum_bad"));
            assertEquals(kernel + 2, a.counter("dpdk_exception_to_kernel_packets"));
            assertEquals(2, a.excTx.drain(), "the two marked bad, to the kernel");
            assertEquals(0, a.drops(DropReason.AUTH_FAILED) + a.drops(DropReason.REPLAY));
        }
    }

    /**
     * IPv6's mandatory UDP checksum with a wire port that computes it (NICs, {@code net_tap}):
     * the worker marks the mbuf ({@code RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM}, l2/l3
     * lengths) and leaves the pseudo-header sum in the field, as DPDK's mbuf API asks. The test
     * then does what the port does — sums the datagram over that field and stores the
     * complement — and the result must verify as any receiver checks it, and decrypt at the
     * other side. The other side computes its checksums itself, and those verify too.
     */
    @Test
    void ipv6UdpChecksumLeftToThePortIsRightOnceThePortFillsItIn() throws Exception {
        try (KeyMaterial km = material(); Rig rig = new Rig()) {
            Side a = rig.side6("a", 1, km, Role.SERVER, true);
            Side b = rig.side6("b", 2, km, Role.CLIENT, false);
            handshake(a, b);
            long offload = RteMbufCore.RTE_MBUF_F_TX_IPV6 | RteMbufCore.RTE_MBUF_F_TX_UDP_CKSUM;

            a.tunRx.put(a.packet(7));
            a.run(2);
            long m = a.wireTx.take();
            assertNotEquals(0, m);
            assertEquals(offload, RteMbufCore.ol_flags(m) & (offload | RteMbufCore.RTE_MBUF_F_TX_IPV4));
            assertEquals(Frames.ETH, RteMbufCore.l2_len(m));
            assertEquals(Frames.IP6, RteMbufCore.l3_len(m));
            long f = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
            long ip = f + Frames.ETH;
            long udp = ip + Frames.IP6;
            int udpLen = RteMbufCore.data_len(m) - Frames.ETH - Frames.IP6;
            assertEquals(InetChecksum.fold(InetChecksum.pseudoHeader(ALL, ip, true, InetChecksum.PROTO_UDP, udpLen)),
                    ALL.get(BE_SHORT, udp + 6) & 0xFFFF, "the pseudo-header sum, for the port to add to");
            int c = InetChecksum.finish(InetChecksum.sum(ALL, udp, udpLen, 0)); // the port's part
            ALL.set(BE_SHORT, udp + 6, (short) (c == 0 ? 0xFFFF : c));
            assertEquals(0xFFFF, udpChecksumSum(f, udpLen), "verifies once the port filled it in");
            b.wireRx.put(m);
            b.run(2);
            assertEquals(List.of(7), b.tunTx.drainPackets());

            b.tunRx.put(b.packet(8));
            b.run(2);
            long n = b.wireTx.take();
            assertNotEquals(0, n);
            assertEquals(0, RteMbufCore.ol_flags(n) & offload, "b's port computes nothing");
            long g = RteMbufCore.buf_addr(n) + RteMbufCore.data_off(n);
            assertEquals(0xFFFF, udpChecksumSum(g, RteMbufCore.data_len(n) - Frames.ETH - Frames.IP6), "computed by b's worker");
            a.wireRx.put(n);
            a.run(2);
            assertEquals(List.of(8), a.tunTx.drainPackets());
        }
    }

    /** The one's complement sum a receiver checks: pseudo-header and UDP datagram, 0xFFFF when right. */
    private static int udpChecksumSum(long frame, int udpLen) {
        long ip = frame + Frames.ETH;
        return InetChecksum.fold(InetChecksum.sum(ALL, ip + Frames.IP6, udpLen,
                InetChecksum.pseudoHeader(ALL, ip, true, InetChecksum.PROTO_UDP, udpLen)));
    }

    // --- traffic helpers ----------------------------------------------------------------------

    /** Both sides learn each other's MAC as in life: a's ARP request (a's first packet is dropped), then b's traffic. */
    private static void handshake(Side a, Side b) {
        a.tunRx.put(a.packet(-1));
        a.run(2);
        assertEquals(1, a.drops(DropReason.NO_NEIGHBOUR));
        assertEquals(1, a.counter("dpdk_neighbour_requests"));
        assertEquals(1, cable(a, b), "the ARP request");
        b.tunRx.put(b.packet(-2));
        b.run(2);
        assertEquals(1, b.counter("dpdk_exception_to_kernel_packets"), "the ARP request, to b's kernel");
        assertEquals(1, b.excTx.drain());
        assertEquals(1, cable(b, a));
        a.run(2);
        assertEquals(List.of(-2), a.tunTx.drainPackets());
    }

    /** Moves every frame waiting in {@code from}'s wire transmit ring to {@code to}'s wire receive ring. */
    private static int cable(Side from, Side to) {
        int moved = 0;
        long m;
        while ((m = from.wireTx.take()) != 0) {
            to.wireRx.put(m);
            moved++;
        }
        return moved;
    }

    /** An ARP request from {@code from} for {@code to}'s address, in a fresh mbuf of {@code from}'s pool. */
    private static long arpRequest(Side from, Side to) {
        return from.frame(f -> Frames.writeArpRequest(f, from.me, to.me.lo()));
    }

    /** A P_CONTROL_V1 datagram from {@code from} to {@code to}'s OpenVPN port: the slow path's. */
    private static long controlPacket(Side from, Side to) {
        return from.frame(f -> {
            int outer = Frames.outerLength(false);
            long payload = f + outer;
            ALL.set(ValueLayout.JAVA_BYTE, payload, (byte) (Wire.P_CONTROL_V1 << Wire.OPCODE_SHIFT));
            for (int i = 1; i < 14; i++) {
                ALL.set(ValueLayout.JAVA_BYTE, payload + i, (byte) i);
            }
            assertEquals(f, Frames.writeHeaders(payload, 14, to.me.mac(), from.me, false, 0, to.me.lo(), to.me.port(), (short) 1, false));
            return outer + 14;
        });
    }

    private static KeyMaterial material() {
        byte[] b = new byte[KeyMaterial.BLOCK_LENGTH];
        new Random(7).nextBytes(b);
        return KeyMaterial.of(b);
    }

    // --- the rig ----------------------------------------------------------------------------

    /** An SP/SC rte_ring of mbuf pointers, one direction of one port. */
    private static final class Ring {
        final long ring;
        final String name;
        private final MemorySegment one;

        Ring(Arena arena, String name, int size) {
            this.name = name;
            this.ring = RteRing.rte_ring_create(name, size, 0, RteRing.RING_F_SP_ENQ | RteRing.RING_F_SC_DEQ);
            assertNotEquals(0, ring, () -> "rte_ring_create " + name + ": " + RteErrno.rte_strerror(RteErrno.rte_errno()));
            this.one = arena.allocate(JAVA_LONG);
        }

        void put(long m) {
            one.set(JAVA_LONG, 0, m);
            assertEquals(1, RteRing.rte_ring_enqueue_burst(ring, one.address(), 1), name + " full");
        }

        /** The next mbuf, or 0. */
        long take() {
            return RteRing.rte_ring_dequeue_burst(ring, one.address(), 1) == 1 ? one.get(JAVA_LONG, 0) : 0;
        }

        int count() {
            return RteRing.rte_ring_count(ring);
        }

        /** Frees what is waiting; how many. */
        int drain() {
            int n = 0;
            long m;
            while ((m = take()) != 0) {
                RteMbuf.rte_pktmbuf_free(m);
                n++;
            }
            return n;
        }

        /** The sequence numbers of the test packets waiting (each checked whole), freed. */
        List<Integer> drainPackets() {
            List<Integer> seqs = new ArrayList<>();
            long m;
            while ((m = take()) != 0) {
                try {
                    assertEquals(1, RteMbufCore.nb_segs(m));
                    assertEquals(PACKET, RteMbufCore.data_len(m));
                    assertEquals(PACKET, RteMbufCore.pkt_len(m));
                    long p = RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m);
                    assertEquals(0x45, ALL.get(ValueLayout.JAVA_BYTE, p) & 0xFF);
                    int seq = ALL.get(BE_INT, p + 20);
                    for (int i = 24; i < PACKET; i++) {
                        assertEquals((byte) (seq + i), ALL.get(ValueLayout.JAVA_BYTE, p + i), "payload byte " + i);
                    }
                    seqs.add(seq);
                } finally {
                    RteMbuf.rte_pktmbuf_free(m);
                }
            }
            return seqs;
        }

        /** After the port closed: anything still in the ring back to its pool, the ring freed. */
        void free() {
            drain();
            if (RteRing.rte_ring_lookup(name) == ring) {
                RteRing.rte_ring_free(ring);
            }
        }
    }

    /** Mbufs the test holds back from a pool. */
    private static final class Held {
        private final List<Long> mbufs = new ArrayList<>();

        int size() {
            return mbufs.size();
        }

        long take() {
            return mbufs.removeLast();
        }

        /** Takes whatever the pool has free again. */
        void refill(long pool) {
            long m;
            while ((m = RteMbuf.rte_pktmbuf_alloc(pool)) != 0) {
                mbufs.add(m);
            }
        }

        void freeAll() {
            mbufs.forEach(RteMbuf::rte_pktmbuf_free);
            mbufs.clear();
        }
    }

    /** A writer of a frame at an address, returning its length. */
    private interface FrameWriter {
        int write(long frame);
    }

    /** One DPDK side: three ring ports, a pool, a backend over them, an engine with peer 1. */
    private static final class Side {
        final String name;
        final Arena arena = Arena.ofShared();
        final long pool;
        final int startInUse;
        final WireAddress me;
        final WireAddress peer;
        final Ring wireRx;
        final Ring wireTx;
        final Ring tunRx;
        final Ring tunTx;
        final Ring excRx;
        final Ring excTx;
        final DpdkBackend backend;
        final Engine engine;
        final Worker worker;
        private final List<Held> held = new ArrayList<>();

        /**
         * @param host       last octet of 10.77.0.x (the peer is the other of 1 and 2)
         * @param wireTxSize size of the wire transmit ring (holds one less)
         * @param tunTxSize  size of the tunnel transmit ring
         * @param excTxSize  size of the exception interface's transmit ring
         */
        Side(String name, int host, int mbufs, int wireTxSize, int tunTxSize, int excTxSize, KeyMaterial km, Role role)
                throws Exception {
            this(name, host, mbufs, wireTxSize, tunTxSize, excTxSize, km, role, false, false);
        }

        /**
         * @param v6                the transport is IPv6 (fd77::host) instead of IPv4
         * @param udpChecksumByPort the wire port is told it computes UDP checksums on transmit
         */
        Side(String name, int host, int mbufs, int wireTxSize, int tunTxSize, int excTxSize, KeyMaterial km, Role role,
             boolean v6, boolean udpChecksumByPort) throws Exception {
            String id = "d" + NAMES.incrementAndGet() + name;
            this.name = name;
            this.pool = RteMbuf.rte_pktmbuf_pool_create(id + "pool", mbufs, 0, 0, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE, 0);
            assertNotEquals(0, pool, () -> "pool: " + RteErrno.rte_strerror(RteErrno.rte_errno()));
            this.startInUse = RteMempool.rte_mempool_in_use_count(pool);
            int other = host == 1 ? 2 : 1;
            this.me = v6 ? new WireAddress(0x02_00_00_00_77_00L | host, true, 0xFD77_0000_0000_0000L, host, 1194)
                    : new WireAddress(0x02_00_00_00_77_00L | host, false, 0, 0x0A4D_0000L | host, 1194);
            this.peer = v6 ? new WireAddress(0x02_00_00_00_77_00L | other, true, 0xFD77_0000_0000_0000L, other, 1194)
                    : new WireAddress(0x02_00_00_00_77_00L | other, false, 0, 0x0A4D_0000L | other, 1194);
            String net = v6 ? "fd77::" : "10.77.0.";
            wireRx = new Ring(arena, id + "wrx", 128);
            wireTx = new Ring(arena, id + "wtx", wireTxSize);
            tunRx = new Ring(arena, id + "trx", 128);
            tunTx = new Ring(arena, id + "ttx", tunTxSize);
            excRx = new Ring(arena, id + "xrx", 16);
            excTx = new Ring(arena, id + "xtx", excTxSize);
            int wire = port(id + "w", wireRx, wireTx);
            int tun = port(id + "t", tunRx, tunTx);
            int tap = port(id + "x", excRx, excTx);
            InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(net + host), 1194);
            DpdkBackend.Config c = new DpdkBackend.Config("tun-" + name, listen, 1, 32, List.of(), null, null, List.of(), 0, mbufs);
            this.backend = new DpdkBackend(c, wire, tun, tap, pool, "tun-" + name + "-x", me, udpChecksumByPort);
            this.engine = new Engine(Engine.Config.defaults(Mode.P2P, 1), crypto);
            this.worker = engine.addWorker(backend.wirePort(0), backend.tunnelPort(0));
            long now = System.nanoTime();
            engine.newPeer(1, 1, new InetSocketAddress(InetAddress.getByName(net + other), 1194), null, null, null, now);
            CipherAlg alg = CipherAlg.AES_256_GCM;
            engine.newKey(1, KeySlots.Slot.PRIMARY, 0, alg, km.cipherKey(role.encryptIndex(), alg), km.nonceTail(role.encryptIndex()),
                    km.cipherKey(role.decryptIndex(), alg), km.nonceTail(role.decryptIndex()));
        }

        /** A started net_ring ethdev with one queue pair over two rings of ours. */
        private int port(String portName, Ring rx, Ring tx) {
            try (Arena a = Arena.ofConfined()) {
                int p = RteEthRing.rte_eth_from_rings(portName, new long[] {rx.ring}, new long[] {tx.ring}, 0);
                assertTrue(p >= 0, () -> "rte_eth_from_rings " + portName + ": " + RteErrno.rte_strerror(RteErrno.rte_errno()));
                RteErrno.checkReturn(RteEthdev.rte_eth_dev_configure(p, 1, 1, RteEthConf.allocate(a)), "configure " + portName);
                RteErrno.checkReturn(RteEthdev.rte_eth_rx_queue_setup(p, 0, 128, 0, MemorySegment.NULL, pool), "rx queue " + portName);
                RteErrno.checkReturn(RteEthdev.rte_eth_tx_queue_setup(p, 0, 128, 0, MemorySegment.NULL), "tx queue " + portName);
                RteErrno.checkReturn(RteEthdev.rte_eth_dev_start(p), "start " + portName);
                return p;
            }
        }

        /** Up to {@code rounds} passes of the worker, fewer once nothing moves. */
        void run(int rounds) {
            for (int r = 0; r < rounds; r++) {
                if (worker.doWork(System.nanoTime()) == 0 && r > 0) {
                    return;
                }
            }
        }

        long counter(String field) {
            Map<String, Long> m = backend.counters();
            assertTrue(m.containsKey(field), () -> "no " + field + " in " + m);
            return m.get(field);
        }

        long count(Counter c) {
            return engine.stats().get(c);
        }

        long drops(DropReason r) {
            return engine.stats().drops(r);
        }

        /** A fresh mbuf from this side's pool with a frame written at its data start. */
        long frame(FrameWriter w) {
            long m = RteMbuf.rte_pktmbuf_alloc(pool);
            assertNotEquals(0, m, name + ": pool empty");
            return frame(m, w);
        }

        long frame(long m, FrameWriter w) {
            RteMbuf.rte_pktmbuf_reset(m);
            int len = w.write(RteMbufCore.buf_addr(m) + RteMbufCore.data_off(m));
            RteMbufCore.data_len(m, len);
            RteMbufCore.pkt_len(m, len);
            return m;
        }

        /** A test packet for the tunnel (IPv4, 5.5.6.x → the other end, sequence number and pattern) in a fresh mbuf. */
        long packet(int seq) {
            long m = RteMbuf.rte_pktmbuf_alloc(pool);
            assertNotEquals(0, m, name + ": pool empty");
            return packet(m, seq);
        }

        long packet(long m, int seq) {
            return frame(m, p -> {
                ALL.set(BE_INT, p, 0x4500_0000 | PACKET);
                ALL.set(BE_INT, p + 4, 0);
                ALL.set(BE_INT, p + 8, 0x4011_0000);
                ALL.set(BE_INT, p + 12, 0x0505_0600 | (int) (me.lo() & 0xFF));
                ALL.set(BE_INT, p + 16, 0x0505_0600 | (int) (peer.lo() & 0xFF));
                ALL.set(BE_INT, p + 20, seq);
                for (int i = 24; i < PACKET; i++) {
                    ALL.set(ValueLayout.JAVA_BYTE, p + i, (byte) (seq + i));
                }
                return PACKET;
            });
        }

        /** Takes every free mbuf of this side's pool; given back with {@link Held#freeAll} (or at close). */
        Held holdEveryMbuf() {
            Held h = new Held();
            h.refill(pool);
            held.add(h);
            return h;
        }
    }

    /**
     * The sides of one scenario, closed together — mbufs cross from one side to the other, so
     * no pool can be checked before both sides let go: workers stopped (the engine closes the
     * ports' queues, giving back the mbufs lent for the last burst), the test's mbufs freed,
     * the ports closed, what the rings still hold freed; then each pool's in-use count must be
     * back where it started.
     */
    private static final class Rig implements AutoCloseable {
        private final List<Side> sides = new ArrayList<>();

        Side side(String name, int host, int mbufs, int wireTxSize, int tunTxSize, int excTxSize, KeyMaterial km, Role role)
                throws Exception {
            Side s = new Side(name, host, mbufs, wireTxSize, tunTxSize, excTxSize, km, role);
            sides.add(s);
            return s;
        }

        /** A side with an IPv6 transport, roomy rings, and maybe a wire port that computes UDP checksums. */
        Side side6(String name, int host, KeyMaterial km, Role role, boolean udpChecksumByPort) throws Exception {
            Side s = new Side(name, host, POOL, 128, 128, 128, km, role, true, udpChecksumByPort);
            sides.add(s);
            return s;
        }

        @Override
        public void close() {
            for (Side s : sides) {
                s.engine.close();
                s.held.forEach(Held::freeAll);
            }
            for (Side s : sides) {
                s.backend.closePorts();
            }
            for (Side s : sides) {
                for (Ring r : new Ring[] {s.wireRx, s.wireTx, s.tunRx, s.tunTx, s.excRx, s.excTx}) {
                    r.free();
                }
            }
            StringBuilder leaks = new StringBuilder();
            for (Side s : sides) {
                int inUse = RteMempool.rte_mempool_in_use_count(s.pool);
                if (inUse != s.startInUse) {
                    leaks.append(s.name).append(": ").append(inUse).append(" mbufs in use, ").append(s.startInUse).append(" at the start; ");
                }
                RteMempool.rte_mempool_free(s.pool);
                s.arena.close();
            }
            assertEquals("", leaks.toString(), "every mbuf back in its pool");
        }
    }
}

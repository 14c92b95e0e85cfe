package dev.ovpndpdk.bindings.dpdk;

import dev.ovpndpdk.bindings.libc.Affinity;
import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.ProcessIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ovpndpdk.bindings.dpdk.RteErrno.checkErrno;
import static dev.ovpndpdk.bindings.dpdk.RteErrno.checkPointer;
import static dev.ovpndpdk.bindings.dpdk.RteErrno.checkReturn;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bindings against a live EAL with a {@code net_null} port, no hugepages and no PCI.
 * One class, because EAL can be initialised once per process (not again after cleanup).
 *
 * <p>EAL runs on a thread of its own ("eal-main"): {@code rte_eal_init} pins its calling thread
 * to the main lcore, and the test runner's thread must keep its CPU mask for the other tests
 * of this JVM.
 */
@Timeout(60)
class DpdkSmokeTest {

    private static final int BURST = 32;
    private static final int POOL_SIZE = 1023;
    private static final String PREFIX = "ovdtest" + ProcessHandle.current().pid();

    private static ExecutorService eal;
    private static BitSet maskBeforeInit;
    private static BitSet ealThreadMask;
    private static long pool;
    private static int port;

    @BeforeAll
    static void initEal() throws Exception {
        // Skip only where the build had no DPDK to build the shim against: a shim that was built
        // but does not load (ABI or release mismatch, a missing symbol) is a failure, not a skip.
        boolean shimBuilt = Dpdk.class.getResource(Dpdk.SHIM_RESOURCE) != null;
        assumeTrue(shimBuilt || Dpdk.isAvailable(), "DPDK bindings not exercised: " + Dpdk.unavailableReason());
        assertTrue(Dpdk.isAvailable(), Dpdk.unavailableReason());
        eal = Executors.newSingleThreadExecutor(r -> new Thread(r, "eal-main"));
        maskBeforeInit = Affinity.currentThread();
        onEal(() -> {
            checkErrno(RteEal.rte_eal_init("--no-huge", "-m", "256", "--no-pci", "--file-prefix=" + PREFIX,
                    "--vdev=net_null0", "--log-level=*:warning", "--no-telemetry"), "rte_eal_init");
            ealThreadMask = Affinity.currentThread();
            pool = checkPointer(RteMbuf.rte_pktmbuf_pool_create("ovdtest_pool", POOL_SIZE, 32, 0,
                    RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE, RteLcore.SOCKET_ID_ANY), "rte_pktmbuf_pool_create");
            port = checkReturn(RteEthdev.rte_eth_dev_get_port_by_name("net_null0"), "port net_null0");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment conf = RteEthConf.allocate(a);
                checkReturn(RteEthdev.rte_eth_dev_configure(port, 1, 1, conf), "rte_eth_dev_configure");
            }
            checkReturn(RteEthdev.rte_eth_rx_queue_setup(port, 0, 256, RteEthdev.rte_eth_dev_socket_id(port),
                    MemorySegment.NULL, pool), "rte_eth_rx_queue_setup");
            checkReturn(RteEthdev.rte_eth_tx_queue_setup(port, 0, 256, RteEthdev.rte_eth_dev_socket_id(port),
                    MemorySegment.NULL), "rte_eth_tx_queue_setup");
            checkReturn(RteEthdev.rte_eth_dev_start(port), "rte_eth_dev_start");
            return null;
        });
    }

    @AfterAll
    static void cleanupEal() throws Exception {
        if (eal == null) {
            return;
        }
        try {
            onEal(() -> {
                checkReturn(RteEthdev.rte_eth_dev_stop(port), "rte_eth_dev_stop");
                checkReturn(RteEthdev.rte_eth_dev_close(port), "rte_eth_dev_close");
                // Every mbuf is back: the tests' own, and the ones the closed queues held.
                assertEquals(0, RteMempool.rte_mempool_in_use_count(pool), "mbufs leaked");
                assertEquals(POOL_SIZE, RteMempool.rte_mempool_avail_count(pool));
                RteMempool.rte_mempool_free(pool);
                checkReturn(RteEal.rte_eal_cleanup(), "rte_eal_cleanup");
                return null;
            });
        } finally {
            eal.shutdown();
            removeRuntimeDirectory();
        }
    }

    /** EAL leaves /var/run/dpdk/PREFIX (or $XDG_RUNTIME_DIR/dpdk/PREFIX) behind; ours only. */
    private static void removeRuntimeDirectory() throws IOException {
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

    private static <T> T onEal(Callable<T> task) throws Exception {
        Future<T> f = eal.submit(task);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw new AssertionError(e.getCause());
        }
    }

    @Test
    void nullPortReceivesAndTransmitsBursts() throws Exception {
        onEal(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment array = a.allocate(JAVA_LONG, BURST);
                long pkts = array.address();
                MemorySegment stats = RteEthStats.allocate(a);
                checkReturn(RteEthdev.rte_eth_stats_get(port, stats), "rte_eth_stats_get");
                long rxBefore = RteEthStats.ipackets(stats);
                long txBefore = RteEthStats.opackets(stats);

                int rx = RteEthdev.rte_eth_rx_burst(port, 0, pkts, BURST);
                assertEquals(BURST, rx, "net_null fills every burst");
                assertEquals(BURST, RteMempool.rte_mempool_in_use_count(pool));
                for (int i = 0; i < rx; i++) {
                    long m = array.getAtIndex(JAVA_LONG, i);
                    assertEquals(pool, RteMbufCore.pool(m));
                    assertEquals(port, RteMbufCore.port(m));
                    assertEquals(1, RteMbufCore.refcnt(m));
                    assertEquals(1, RteMbufCore.nb_segs(m));
                    assertEquals(64, RteMbufCore.pkt_len(m), "net_null's default packet size");
                    assertEquals(64, RteMbufCore.data_len(m));
                    assertEquals(RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE, RteMbufCore.buf_len(m));
                    assertEquals(RteMbuf.RTE_PKTMBUF_HEADROOM, RteMbufCore.data_off(m));
                }

                int tx = RteEthdev.rte_eth_tx_burst(port, 0, pkts, rx);
                assertEquals(rx, tx, "net_null takes every packet");
                assertEquals(0, RteMempool.rte_mempool_in_use_count(pool), "net_null frees what it sends");

                checkReturn(RteEthdev.rte_eth_stats_get(port, stats), "rte_eth_stats_get");
                assertEquals(rxBefore + BURST, RteEthStats.ipackets(stats));
                assertEquals(txBefore + BURST, RteEthStats.opackets(stats));
                assertEquals(0, RteEthStats.rx_nombuf(stats));
            }
            return null;
        });
    }

    @Test
    void portReportsInfoLinkAndAddress() throws Exception {
        onEal(() -> {
            assertTrue(RteEthdev.rte_eth_dev_count_avail() >= 1);
            assertEquals(1, RteEthdev.rte_eth_dev_is_valid_port(port));
            assertEquals("net_null0", RteEthdev.rte_eth_dev_get_name_by_port(port));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment info = RteEthDevInfo.allocate(a);
                checkReturn(RteEthdev.rte_eth_dev_info_get(port, info), "rte_eth_dev_info_get");
                assertEquals("net_null", RteEthDevInfo.driver_name(info));
                assertTrue(RteEthDevInfo.max_rx_queues(info) >= 1);
                assertTrue(RteEthDevInfo.max_tx_queues(info) >= 1);
                assertEquals(1, RteEthDevInfo.nb_rx_queues(info));
                assertEquals(1, RteEthDevInfo.nb_tx_queues(info));
                assertTrue(RteEthDevInfo.max_mtu(info) >= RteEthDevInfo.min_mtu(info));

                MemorySegment link = RteEthLink.allocate(a);
                checkReturn(RteEthdev.rte_eth_link_get_nowait(port, link), "rte_eth_link_get_nowait");
                assertEquals(RteEthdev.RTE_ETH_LINK_UP, RteEthLink.link_status(link), "a started null port is up");
                assertEquals(RteEthdev.RTE_ETH_LINK_FULL_DUPLEX, RteEthLink.link_duplex(link));

                MemorySegment mac = RteEtherAddr.allocate(a);
                checkReturn(RteEthdev.rte_eth_macaddr_get(port, mac), "rte_eth_macaddr_get");
                assertEquals(17, RteEtherAddr.format(mac).length());
            }
            checkReturn(RteEthdev.rte_eth_promiscuous_enable(port), "rte_eth_promiscuous_enable");
            return null;
        });
    }

    /** How the tunnel and exception ports (net_tun, net_tap) come and go after init. */
    @Test
    void vdevIsHotPluggedAndRemoved() throws Exception {
        onEal(() -> {
            int before = RteEthdev.rte_eth_dev_count_avail();
            checkReturn(RteDev.rte_dev_probe("net_null1"), "rte_dev_probe(net_null1)");
            int added = checkReturn(RteEthdev.rte_eth_dev_get_port_by_name("net_null1"), "port net_null1");
            assertNotEquals(port, added);
            assertEquals(before + 1, RteEthdev.rte_eth_dev_count_avail());
            checkReturn(RteEthdev.rte_eth_dev_close(added), "rte_eth_dev_close");
            checkReturn(RteDev.rte_eal_hotplug_remove("vdev", "net_null1"), "rte_eal_hotplug_remove");
            assertEquals(before, RteEthdev.rte_eth_dev_count_avail());
            return null;
        });
    }

    @Test
    void mbufPointerArithmeticFollowsDpdk() throws Exception {
        onEal(() -> {
            long m = RteMbuf.rte_pktmbuf_alloc(pool);
            assertNotEquals(0, m);
            try {
                long start = RteMbuf.rte_pktmbuf_mtod(m);
                assertEquals(RteMbufCore.buf_addr(m) + RteMbuf.RTE_PKTMBUF_HEADROOM, start);
                assertEquals(start, RteMbuf.rte_pktmbuf_append(m, 100));
                assertEquals(start - 24, RteMbuf.rte_pktmbuf_prepend(m, 24));
                assertEquals(124, RteMbufCore.pkt_len(m));
                assertEquals(0, RteMbuf.rte_pktmbuf_prepend(m, RteMbuf.rte_pktmbuf_headroom(m) + 1), "no headroom");
                assertEquals(start, RteMbuf.rte_pktmbuf_adj(m, 24));
                assertEquals(0, RteMbuf.rte_pktmbuf_trim(m, 60));
                assertEquals(40, RteMbufCore.data_len(m));
                assertEquals(RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE - RteMbuf.RTE_PKTMBUF_HEADROOM - 40,
                        RteMbuf.rte_pktmbuf_tailroom(m));

                RteMbufCore.l2_l3_len(m, 14, 20);
                assertEquals(14, RteMbufCore.l2_len(m));
                assertEquals(20, RteMbufCore.l3_len(m));
                assertEquals(14 | 20 << 7, RteMbufCore.tx_offload(m));

                assertEquals(2, RteMbuf.rte_mbuf_refcnt_update(m, 1));
                RteMbuf.rte_pktmbuf_free(m); // drops the extra reference only
                assertEquals(1, RteMbuf.rte_mbuf_refcnt_read(m));
            } finally {
                RteMbuf.rte_pktmbuf_free(m);
            }
            try (Arena a = Arena.ofConfined()) {
                long mbufs = a.allocate(JAVA_LONG, BURST).address();
                assertEquals(0, RteMbuf.rte_pktmbuf_alloc_bulk(pool, mbufs, BURST));
                assertEquals(BURST, RteMempool.rte_mempool_in_use_count(pool));
                RteMbuf.rte_pktmbuf_free_bulk(mbufs, BURST);
            }
            assertEquals(0, RteMempool.rte_mempool_in_use_count(pool));
            return null;
        });
    }

    /**
     * A Java thread is no lcore until it registers; registered, it has an lcore id of its own (so
     * mempool caches work), keeps its CPU mask, and gives the id back when it unregisters.
     */
    @Test
    void javaThreadRegistersAsAnLcore() throws Exception {
        int main = onEal(RteLcore::rte_get_main_lcore);
        int[] seen = new int[4];
        BitSet[] masks = new BitSet[2];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            try {
                seen[0] = RteLcore.rte_lcore_id();
                masks[0] = Affinity.currentThread();
                seen[1] = checkErrno(RteLcore.rte_thread_register(), "rte_thread_register");
                seen[2] = RteLcore.rte_lcore_id();
                masks[1] = Affinity.currentThread();
                long m = RteMbuf.rte_pktmbuf_alloc(pool);
                assertNotEquals(0, m);
                RteMbuf.rte_pktmbuf_free(m); // into this lcore's cache
                RteLcore.rte_thread_unregister();
                seen[3] = RteLcore.rte_lcore_id();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "dpdk-worker");
        worker.start();
        worker.join(10_000);
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertEquals(RteLcore.LCORE_ID_ANY, seen[0], "not an lcore before registering");
        assertEquals(0, seen[1]);
        assertTrue(seen[2] >= 0 && seen[2] < RteLcore.RTE_MAX_LCORE, "lcore id " + seen[2]);
        assertNotEquals(main, seen[2]);
        assertEquals(masks[0], masks[1], "registering must not re-pin the thread");
        assertEquals(RteLcore.LCORE_ID_ANY, seen[3], "id given back");
        assertEquals(0, onEal(() -> RteMempool.rte_mempool_in_use_count(pool)), "a cached mbuf counts as available");
    }

    /** rte_eal_init pins the thread that calls it to the main lcore, and only that thread. */
    @Test
    void ealPinsOnlyItsCallingThread() throws Exception {
        int main = onEal(RteLcore::rte_get_main_lcore);
        assertEquals(main, (int) onEal(RteLcore::rte_lcore_id), "the init thread is the main lcore");
        BitSet onlyMain = new BitSet();
        onlyMain.set(main);
        assertEquals(onlyMain, ealThreadMask);
        assertEquals(maskBeforeInit, Affinity.currentThread(), "the test runner's thread keeps its mask");
        assertEquals(RteLcore.LCORE_ID_ANY, RteLcore.rte_lcore_id(), "and is no lcore");
    }

    @Test
    void ringRoundTripsABurst() throws Exception {
        onEal(() -> {
            long r = checkPointer(RteRing.rte_ring_create("ovdtest_ring", 64, RteLcore.SOCKET_ID_ANY,
                    RteRing.RING_F_SP_ENQ | RteRing.RING_F_SC_DEQ), "rte_ring_create");
            try (Arena a = Arena.ofConfined()) {
                MemorySegment in = a.allocate(JAVA_LONG, 100);
                MemorySegment out = a.allocate(JAVA_LONG, 100);
                for (int i = 0; i < 100; i++) {
                    in.setAtIndex(JAVA_LONG, i, 0x1000L + i);
                }
                assertEquals(r, RteRing.rte_ring_lookup("ovdtest_ring"));
                assertEquals(63, RteRing.rte_ring_free_count(r), "a 64-slot ring holds 63");
                assertEquals(63, RteRing.rte_ring_enqueue_burst(r, in.address(), 100), "burst stops when full");
                assertEquals(63, RteRing.rte_ring_count(r));
                assertEquals(63, RteRing.rte_ring_dequeue_burst(r, out.address(), 100));
                for (int i = 0; i < 63; i++) {
                    assertEquals(0x1000L + i, out.getAtIndex(JAVA_LONG, i), "FIFO order");
                }
                assertEquals(0, RteRing.rte_ring_count(r));
                assertEquals(0, RteRing.rte_ring_dequeue_burst(r, out.address(), 100));
            } finally {
                RteRing.rte_ring_free(r);
            }
            assertEquals(0, RteRing.rte_ring_lookup("ovdtest_ring"));
            assertEquals(Errno.ENOENT, RteErrno.rte_errno());
            return null;
        });
    }

    @Test
    void failuresCarryDpdkMessages() throws Exception {
        onEal(() -> {
            DpdkException e = assertThrows(DpdkException.class,
                    () -> checkReturn(RteEthdev.rte_eth_dev_get_port_by_name("no_such_port"), "port no_such_port"));
            assertEquals(Errno.ENODEV, e.errno());
            assertEquals("port no_such_port: No such device (-19)", e.getMessage());
            return null;
        });
    }
}

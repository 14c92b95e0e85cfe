package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.buf_addr;
import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.buf_len;
import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.data_len;
import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.data_off;
import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.next;
import static dev.ovpndpdk.bindings.dpdk.RteMbufCore.pkt_len;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code rte_mbuf.h}: packet mbuf pools, allocation and freeing, and the data-pointer arithmetic.
 *
 * <p>Allocation, freeing and reference counts are {@code static inline} in DPDK and come from the
 * shim ({@code ovd_pktmbuf_*}); the pointer arithmetic ({@code mtod}, {@code prepend},
 * {@code adj}...) is a few field updates and is written here in Java with DPDK's semantics, so
 * it costs no downcall. Mbufs are {@code long} addresses, arrays of them native {@code long[]}s
 * ({@code struct rte_mbuf **}) the worker allocated once.
 */
public final class RteMbuf {

    /** {@code RTE_PKTMBUF_HEADROOM}: room in front of received data; our outer headers go there. */
    public static final int RTE_PKTMBUF_HEADROOM = 128;
    public static final int RTE_MBUF_DEFAULT_DATAROOM = 2048;
    /** Data room plus headroom: what {@code rte_pktmbuf_pool_create} takes for a standard pool. */
    public static final int RTE_MBUF_DEFAULT_BUF_SIZE = RTE_MBUF_DEFAULT_DATAROOM + RTE_PKTMBUF_HEADROOM;

    private static final MethodHandle RTE_PKTMBUF_POOL_CREATE = Dpdk.downcall("rte_pktmbuf_pool_create",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    private static final MethodHandle RTE_PKTMBUF_FREE_BULK = Dpdk.critical("rte_pktmbuf_free_bulk",
            FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_PKTMBUF_ALLOC = Dpdk.critical("ovd_pktmbuf_alloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle OVD_PKTMBUF_ALLOC_BULK = Dpdk.critical("ovd_pktmbuf_alloc_bulk",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_PKTMBUF_FREE = Dpdk.critical("ovd_pktmbuf_free",
            FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle OVD_PKTMBUF_RESET = Dpdk.critical("ovd_pktmbuf_reset",
            FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle OVD_MBUF_REFCNT_UPDATE = Dpdk.critical("ovd_mbuf_refcnt_update",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_MBUF_REFCNT_READ = Dpdk.critical("ovd_mbuf_refcnt_read",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG));

    private RteMbuf() {
    }

    /**
     * {@code struct rte_mempool *rte_pktmbuf_pool_create(name, n, cache_size, priv_size, data_room_size, socket_id)}:
     * a pool of {@code n} mbufs ({@code n = 2^k - 1} is optimal) with {@code dataRoomSize} bytes each
     * including {@link #RTE_PKTMBUF_HEADROOM}; {@code cacheSize} mbufs per lcore cache (at most 512, and
     * {@code n / 1.5}). Returns 0 with {@code rte_errno} set on failure. Free with {@link RteMempool#rte_mempool_free}.
     */
    public static long rte_pktmbuf_pool_create(String name, int n, int cacheSize, int privSize, int dataRoomSize, int socketId) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_PKTMBUF_POOL_CREATE.invokeExact(a.allocateFrom(name), n, cacheSize, (short) privSize,
                    (short) dataRoomSize, socketId);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code void rte_pktmbuf_free_bulk(struct rte_mbuf **mbufs, unsigned count)}: frees every chain; null entries skipped. */
    public static void rte_pktmbuf_free_bulk(long mbufs, int count) {
        try {
            RTE_PKTMBUF_FREE_BULK.invokeExact(mbufs, count);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_pktmbuf_alloc} (inline; {@code ovd_pktmbuf_alloc}): a reset mbuf, or 0 when the pool is empty. */
    public static long rte_pktmbuf_alloc(long pool) {
        try {
            return (long) OVD_PKTMBUF_ALLOC.invokeExact(pool);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_pktmbuf_alloc_bulk} (inline; {@code ovd_pktmbuf_alloc_bulk}): fills {@code mbufs[0..n)} with
     * reset mbufs and returns 0, or allocates none and returns {@code -ENOENT}.
     */
    public static int rte_pktmbuf_alloc_bulk(long pool, long mbufs, int n) {
        try {
            return (int) OVD_PKTMBUF_ALLOC_BULK.invokeExact(pool, mbufs, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_pktmbuf_free} (inline; {@code ovd_pktmbuf_free}): frees the chain; 0 is a no-op. */
    public static void rte_pktmbuf_free(long m) {
        try {
            OVD_PKTMBUF_FREE.invokeExact(m);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_pktmbuf_reset} (inline; {@code ovd_pktmbuf_reset}): back to an empty one-segment packet. */
    public static void rte_pktmbuf_reset(long m) {
        try {
            OVD_PKTMBUF_RESET.invokeExact(m);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_mbuf_refcnt_update} (inline, atomic; {@code ovd_mbuf_refcnt_update}): the new count. */
    public static int rte_mbuf_refcnt_update(long m, int delta) {
        try {
            return (int) OVD_MBUF_REFCNT_UPDATE.invokeExact(m, delta);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_mbuf_refcnt_read} (inline, atomic; {@code ovd_mbuf_refcnt_read}). */
    public static int rte_mbuf_refcnt_read(long m) {
        try {
            return (int) OVD_MBUF_REFCNT_READ.invokeExact(m);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_pktmbuf_mtod}: address of the first data byte of this segment. */
    public static long rte_pktmbuf_mtod(long m) {
        return buf_addr(m) + data_off(m);
    }

    /** {@code rte_pktmbuf_headroom}: bytes free in front of the data. */
    public static int rte_pktmbuf_headroom(long m) {
        return data_off(m);
    }

    /** {@code rte_pktmbuf_tailroom}: bytes free after this segment's data. */
    public static int rte_pktmbuf_tailroom(long m) {
        return buf_len(m) - data_off(m) - data_len(m);
    }

    /** The last segment of a chain ({@code rte_pktmbuf_lastseg}). */
    public static long rte_pktmbuf_lastseg(long m) {
        long seg = m;
        for (long n = next(seg); n != 0; n = next(seg)) {
            seg = n;
        }
        return seg;
    }

    /** {@code rte_pktmbuf_prepend}: grows the packet at the front; the new start, or 0 if the headroom is too small. */
    public static long rte_pktmbuf_prepend(long m, int len) {
        int off = data_off(m);
        if (len > off) {
            return 0;
        }
        data_off(m, off - len);
        data_len(m, data_len(m) + len);
        pkt_len(m, pkt_len(m) + len);
        return buf_addr(m) + off - len;
    }

    /** {@code rte_pktmbuf_append}: grows the last segment at the end; the old end, or 0 if the tailroom is too small. */
    public static long rte_pktmbuf_append(long m, int len) {
        long last = rte_pktmbuf_lastseg(m);
        if (len > rte_pktmbuf_tailroom(last)) {
            return 0;
        }
        long tail = buf_addr(last) + data_off(last) + data_len(last);
        data_len(last, data_len(last) + len);
        pkt_len(m, pkt_len(m) + len);
        return tail;
    }

    /** {@code rte_pktmbuf_adj}: drops {@code len} bytes at the front of the first segment; the new start, or 0. */
    public static long rte_pktmbuf_adj(long m, int len) {
        int dl = data_len(m);
        if (len > dl) {
            return 0;
        }
        int off = data_off(m) + len;
        data_len(m, dl - len);
        data_off(m, off);
        pkt_len(m, pkt_len(m) - len);
        return buf_addr(m) + off;
    }

    /** {@code rte_pktmbuf_trim}: drops {@code len} bytes at the end of the last segment; 0, or -1 if it is shorter. */
    public static int rte_pktmbuf_trim(long m, int len) {
        long last = rte_pktmbuf_lastseg(m);
        int dl = data_len(last);
        if (len > dl) {
            return -1;
        }
        data_len(last, dl - len);
        pkt_len(m, pkt_len(m) - len);
        return 0;
    }
}

package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code rte_cryptodev.h}: crypto devices — find, inspect, configure, start, sessions, and the
 * AEAD burst of the shim.
 *
 * <p>Order of set-up (DPDK's): {@code rte_cryptodev_configure}, a session pool sized by
 * {@link #rte_cryptodev_sym_get_private_session_size}, {@code rte_cryptodev_queue_pair_setup}
 * for every queue pair (it checks the session pool), {@code rte_cryptodev_start}; sessions any
 * time after. Sessions are 22.11's ({@code void *}, made in one call, async-crypto.md §2.1).
 * Device ids are {@code uint8_t}, queue pairs {@code uint16_t}: {@code int} here.
 *
 * <p>The burst calls are {@code static inline} in DPDK; {@link #ovd_cdev_enqueue_aead} also fills
 * the ops (see the shim's header), so a burst costs one downcall each way and allocates nothing.
 */
public final class RteCryptodev {

    // feature flags (rte_cryptodev_info.feature_flags)
    public static final long RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO = 1L;
    public static final long RTE_CRYPTODEV_FF_CPU_AESNI = 1L << 6;
    /** Set by hardware PMDs (QAT): the device DMAs, so every address it gets must be a valid IOVA. */
    public static final long RTE_CRYPTODEV_FF_HW_ACCELERATED = 1L << 7;
    public static final long RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO = 1L << 21;

    // enum rte_crypto_sym_xform_type, for the capability index
    private static final int SYM_XFORM_AEAD = RteCryptoSymXform.RTE_CRYPTO_SYM_XFORM_AEAD;

    private static final MethodHandle OVD_CDEV_ENQUEUE_AEAD = Dpdk.critical("ovd_cdev_enqueue_aead",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_CDEV_DEQUEUE = Dpdk.critical("ovd_cdev_dequeue",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT));

    private static final MethodHandle RTE_CRYPTODEV_COUNT = Dpdk.downcall("rte_cryptodev_count", FunctionDescriptor.of(JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_GET_DEV_ID = Dpdk.downcall("rte_cryptodev_get_dev_id",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle RTE_CRYPTODEV_NAME_GET = Dpdk.downcall("rte_cryptodev_name_get",
            FunctionDescriptor.of(ADDRESS, JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_SOCKET_ID = Dpdk.downcall("rte_cryptodev_socket_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_INFO_GET = Dpdk.downcall("rte_cryptodev_info_get",
            FunctionDescriptor.ofVoid(JAVA_BYTE, ADDRESS));
    private static final MethodHandle RTE_CRYPTODEV_CONFIGURE = Dpdk.downcall("rte_cryptodev_configure",
            FunctionDescriptor.of(JAVA_INT, JAVA_BYTE, ADDRESS));
    private static final MethodHandle RTE_CRYPTODEV_QUEUE_PAIR_SETUP = Dpdk.downcall("rte_cryptodev_queue_pair_setup",
            FunctionDescriptor.of(JAVA_INT, JAVA_BYTE, JAVA_SHORT, ADDRESS, JAVA_INT));
    private static final MethodHandle RTE_CRYPTODEV_START = Dpdk.downcall("rte_cryptodev_start", FunctionDescriptor.of(JAVA_INT, JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_STOP = Dpdk.downcall("rte_cryptodev_stop", FunctionDescriptor.ofVoid(JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_CLOSE = Dpdk.downcall("rte_cryptodev_close", FunctionDescriptor.of(JAVA_INT, JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_SYM_GET_PRIVATE_SESSION_SIZE = Dpdk.downcall(
            "rte_cryptodev_sym_get_private_session_size", FunctionDescriptor.of(JAVA_INT, JAVA_BYTE));
    private static final MethodHandle RTE_CRYPTODEV_SYM_SESSION_POOL_CREATE = Dpdk.downcall("rte_cryptodev_sym_session_pool_create",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_INT));
    private static final MethodHandle RTE_CRYPTODEV_SYM_SESSION_CREATE = Dpdk.downcall("rte_cryptodev_sym_session_create",
            FunctionDescriptor.of(JAVA_LONG, JAVA_BYTE, ADDRESS, JAVA_LONG));
    private static final MethodHandle RTE_CRYPTODEV_SYM_SESSION_FREE = Dpdk.downcall("rte_cryptodev_sym_session_free",
            FunctionDescriptor.of(JAVA_INT, JAVA_BYTE, JAVA_LONG));
    private static final MethodHandle RTE_CRYPTODEV_SYM_CAPABILITY_GET = Dpdk.downcall("rte_cryptodev_sym_capability_get",
            FunctionDescriptor.of(JAVA_LONG, JAVA_BYTE, ADDRESS));
    private static final MethodHandle RTE_CRYPTODEV_SYM_CAPABILITY_CHECK_AEAD = Dpdk.downcall(
            "rte_cryptodev_sym_capability_check_aead",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT));

    private RteCryptodev() {
    }

    // ---- fast path (shim) ----

    /**
     * {@code ovd_cdev_enqueue_aead}: fills {@code ops[i]} for the P_DATA_V2 packet at address
     * {@code headers[i]} ({@code lengths[i]} data bytes) in mbuf {@code mbufs[i]} under
     * {@code struct ovd_aead_key *keys[i]}, for each {@code i < n}, then one
     * {@code rte_cryptodev_enqueue_burst}. All arrays are native ({@code long} addresses of
     * 64-bit entries, {@code int32} for lengths). Returns how many the device took: the first ones.
     */
    public static int ovd_cdev_enqueue_aead(int dev, int qp, long ops, long keys, long headers, long lengths, long mbufs, int n) {
        try {
            return (int) OVD_CDEV_ENQUEUE_AEAD.invokeExact(dev, qp, ops, keys, headers, lengths, mbufs, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code ovd_cdev_dequeue}: {@code rte_cryptodev_dequeue_burst} into {@code ops}, and for each op
     * its slot number ({@code int32 slots[]}) and {@code rte_crypto_op_status} ({@code uint8_t status[]}).
     */
    public static int ovd_cdev_dequeue(int dev, int qp, long ops, long slots, long status, int n) {
        try {
            return (int) OVD_CDEV_DEQUEUE.invokeExact(dev, qp, ops, slots, status, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    // ---- devices ----

    /** {@code uint8_t rte_cryptodev_count(void)}: attached crypto devices. */
    public static int rte_cryptodev_count() {
        try {
            return Byte.toUnsignedInt((byte) RTE_CRYPTODEV_COUNT.invokeExact());
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_cryptodev_get_dev_id(const char *name)}: the id, or -1 when there is none. */
    public static int rte_cryptodev_get_dev_id(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (int) RTE_CRYPTODEV_GET_DEV_ID.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code const char *rte_cryptodev_name_get(uint8_t dev_id)}: null for an invalid id. */
    public static String rte_cryptodev_name_get(int dev) {
        try {
            MemorySegment s = (MemorySegment) RTE_CRYPTODEV_NAME_GET.invokeExact((byte) dev);
            return s.equals(MemorySegment.NULL) ? null : Dpdk.cString(s, 64);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_cryptodev_socket_id(uint8_t dev_id)}: the NUMA node, or -1 (unknown, or invalid id). */
    public static int rte_cryptodev_socket_id(int dev) {
        try {
            return (int) RTE_CRYPTODEV_SOCKET_ID.invokeExact((byte) dev);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code void rte_cryptodev_info_get(dev_id, struct rte_cryptodev_info *)}: see {@link RteCryptodevInfo}. */
    public static void rte_cryptodev_info_get(int dev, MemorySegment info) {
        try {
            RTE_CRYPTODEV_INFO_GET.invokeExact((byte) dev, info);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_cryptodev_configure(dev_id, struct rte_cryptodev_config *)}: 0 or {@code -errno}. */
    public static int rte_cryptodev_configure(int dev, MemorySegment config) {
        try {
            return (int) RTE_CRYPTODEV_CONFIGURE.invokeExact((byte) dev, config);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_cryptodev_queue_pair_setup(dev_id, qp_id, qp_conf, socket_id)}: 0 or {@code -errno}; device stopped. */
    public static int rte_cryptodev_queue_pair_setup(int dev, int qp, MemorySegment qpConf, int socketId) {
        try {
            return (int) RTE_CRYPTODEV_QUEUE_PAIR_SETUP.invokeExact((byte) dev, (short) qp, qpConf, socketId);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    public static int rte_cryptodev_start(int dev) {
        try {
            return (int) RTE_CRYPTODEV_START.invokeExact((byte) dev);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** No queue pair may be in a burst call. */
    public static void rte_cryptodev_stop(int dev) {
        try {
            RTE_CRYPTODEV_STOP.invokeExact((byte) dev);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** Releases the queue pairs; the device must be stopped. 0 or {@code -errno}. */
    public static int rte_cryptodev_close(int dev) {
        try {
            return (int) RTE_CRYPTODEV_CLOSE.invokeExact((byte) dev);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    // ---- sessions ----

    /** {@code unsigned rte_cryptodev_sym_get_private_session_size(dev_id)}: what the PMD keeps per session; 0 for an invalid id. */
    public static int rte_cryptodev_sym_get_private_session_size(int dev) {
        try {
            return (int) RTE_CRYPTODEV_SYM_GET_PRIVATE_SESSION_SIZE.invokeExact((byte) dev);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /**
     * {@code rte_cryptodev_sym_session_pool_create(name, nb_elts, elt_size, cache_size, priv_size, socket_id)}:
     * {@code eltSize} is the largest private session size of the devices that will use it (the
     * header is added inside); {@code userDataSize} bytes of user data per session. 0 with
     * {@code rte_errno} set.
     */
    public static long rte_cryptodev_sym_session_pool_create(String name, int n, int eltSize, int cacheSize, int userDataSize,
                                                             int socketId) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_CRYPTODEV_SYM_SESSION_POOL_CREATE.invokeExact(a.allocateFrom(name), n, eltSize, cacheSize,
                    (short) userDataSize, socketId);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code void *rte_cryptodev_sym_session_create(dev_id, xforms, mp)}: 0 with {@code rte_errno} set. */
    public static long rte_cryptodev_sym_session_create(int dev, MemorySegment xform, long pool) {
        try {
            return (long) RTE_CRYPTODEV_SYM_SESSION_CREATE.invokeExact((byte) dev, xform, pool);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code int rte_cryptodev_sym_session_free(dev_id, sess)}: clears the PMD's key data, back to the pool. */
    public static int rte_cryptodev_sym_session_free(int dev, long session) {
        try {
            return (int) RTE_CRYPTODEV_SYM_SESSION_FREE.invokeExact((byte) dev, session);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    // ---- capabilities ----

    /**
     * Whether the device does AEAD {@code algo} ({@link RteCryptoSymXform#RTE_CRYPTO_AEAD_AES_GCM}...)
     * with these sizes: {@code rte_cryptodev_sym_capability_get} then
     * {@code rte_cryptodev_sym_capability_check_aead}.
     */
    public static boolean supportsAead(int dev, int algo, int keySize, int digestSize, int aadSize, int ivSize) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment idx = a.allocate(8, 4); // struct rte_cryptodev_sym_capability_idx {type; union algo}
            idx.set(JAVA_INT, 0, SYM_XFORM_AEAD);
            idx.set(JAVA_INT, 4, algo);
            long cap = (long) RTE_CRYPTODEV_SYM_CAPABILITY_GET.invokeExact((byte) dev, idx);
            return cap != 0 && (int) RTE_CRYPTODEV_SYM_CAPABILITY_CHECK_AEAD.invokeExact(cap, (short) keySize,
                    (short) digestSize, (short) aadSize, (short) ivSize) == 0;
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

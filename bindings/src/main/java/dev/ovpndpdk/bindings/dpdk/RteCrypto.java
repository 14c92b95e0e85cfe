package dev.ovpndpdk.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code rte_crypto.h}: crypto op pools and the op's status, plus the op private area that the
 * shim's AEAD burst ({@link RteCryptodev#ovd_cdev_enqueue_aead}) fills: an IV slot, an AAD slot
 * and the queue's slot number (async-crypto.md §2.2; {@code OVD_CDEV_*} in the shim's header).
 * Ops are {@code long} addresses.
 */
public final class RteCrypto {

    // enum rte_crypto_op_type
    public static final int RTE_CRYPTO_OP_TYPE_SYMMETRIC = 1;

    // enum rte_crypto_op_status
    public static final int RTE_CRYPTO_OP_STATUS_SUCCESS = 0;
    public static final int RTE_CRYPTO_OP_STATUS_NOT_PROCESSED = 1;
    public static final int RTE_CRYPTO_OP_STATUS_AUTH_FAILED = 2;
    public static final int RTE_CRYPTO_OP_STATUS_INVALID_SESSION = 3;
    public static final int RTE_CRYPTO_OP_STATUS_INVALID_ARGS = 4;
    public static final int RTE_CRYPTO_OP_STATUS_ERROR = 5;

    /** {@code sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op)}: where the private area starts. */
    public static final int OP_AND_SYM_OP_SIZE = 88;
    /** {@code OVD_CDEV_IV_OFFSET}: the 16-byte IV slot, from the op's start (the xform's {@code iv.offset}). */
    public static final int OVD_CDEV_IV_OFFSET = 88;
    /** {@code OVD_CDEV_AAD_OFFSET}: the 16-byte AAD slot, 8 bytes used, 8 zero. */
    public static final int OVD_CDEV_AAD_OFFSET = 104;
    /** {@code OVD_CDEV_SLOT_OFFSET}: an {@code int32} the queue writes once per op, returned by dequeue. */
    public static final int OVD_CDEV_SLOT_OFFSET = 120;
    /** {@code OVD_CDEV_PRIV_SIZE}: the op pool's {@code priv_size}; op + private area = 128 bytes. */
    public static final int OVD_CDEV_PRIV_SIZE = 40;

    private static final MethodHandle RTE_CRYPTO_OP_POOL_CREATE = Dpdk.downcall("rte_crypto_op_pool_create",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_INT));
    private static final MethodHandle OVD_CDEV_OP_ALLOC_BULK = Dpdk.critical("ovd_cdev_op_alloc_bulk",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OVD_CDEV_OP_FREE = Dpdk.critical("ovd_cdev_op_free",
            FunctionDescriptor.ofVoid(JAVA_LONG));

    private RteCrypto() {
    }

    /**
     * {@code rte_crypto_op_pool_create(name, type, nb_elts, cache_size, priv_size, socket_id)}:
     * a pool of ops with {@code privSize} bytes after each sym op; 0 with {@code rte_errno} set.
     */
    public static long rte_crypto_op_pool_create(String name, int type, int n, int cacheSize, int privSize, int socketId) {
        try (Arena a = Arena.ofConfined()) {
            return (long) RTE_CRYPTO_OP_POOL_CREATE.invokeExact(a.allocateFrom(name), type, n, cacheSize, (short) privSize,
                    socketId);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_crypto_op_bulk_alloc} (inline; {@code ovd_cdev_op_alloc_bulk}) of symmetric ops into {@code ops[0..n)}: n or 0. */
    public static int rte_crypto_op_bulk_alloc(long pool, long ops, int n) {
        try {
            return (int) OVD_CDEV_OP_ALLOC_BULK.invokeExact(pool, ops, n);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }

    /** {@code rte_crypto_op_free} (inline; {@code ovd_cdev_op_free}): back to its pool; 0 is a no-op. */
    public static void rte_crypto_op_free(long op) {
        try {
            OVD_CDEV_OP_FREE.invokeExact(op);
        } catch (Throwable t) {
            throw Dpdk.unexpected(t);
        }
    }
}

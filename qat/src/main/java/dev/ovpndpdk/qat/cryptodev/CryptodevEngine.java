package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.dpdk.RteCrypto;
import dev.ovpndpdk.bindings.dpdk.RteCryptoSymXform;
import dev.ovpndpdk.bindings.dpdk.RteCryptodev;
import dev.ovpndpdk.bindings.dpdk.RteCryptodevConfig;
import dev.ovpndpdk.bindings.dpdk.RteCryptodevInfo;
import dev.ovpndpdk.bindings.dpdk.RteCryptodevQpConf;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteMbuf;
import dev.ovpndpdk.bindings.dpdk.RteMempool;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The AEAD engine over a DPDK 22.11 crypto device: a software PMD ({@code crypto_aesni_gcm},
 * {@code crypto_aesni_mb}, {@code crypto_chacha20_poly1305}, {@code crypto_openssl}), the
 * {@code crypto_scheduler} over some of them, or a QAT VF through DPDK's QAT PMD
 * (docs/crypto-offload.md).
 *
 * <p>The engine owns the device (configured with one queue pair per worker), a session pool,
 * an op pool (every op with the IV and AAD slots of async-crypto.md §2.2) and, on software
 * devices, a pool of data-less mbufs that wrap packets in plain native memory. Queues take
 * their ops and wrappers once, at {@link #newQueue}; nothing is allocated per packet.
 *
 * <p>EAL: when no one has started it, {@link #open} starts it bare (no hugepages, no PCI) and
 * leaves it up for the process; when the DPDK port backend has, the engine adds its device with
 * {@code rte_vdev_init}.
 */
public final class CryptodevEngine implements AsyncAeadEngine {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(CryptodevEngine.class.getName());
    /** Descriptors per queue pair: a power of two (QAT, and the rings of the software PMDs). */
    public static final int DEFAULT_DESCRIPTORS = 2048;
    /**
     * Sessions: two directions × two key slots × peers, so 16384 covers 4096 peers with a key
     * in each slot; about 19 MB of pool on crypto_aesni_gcm (1152-byte elements). A NEW_KEY past
     * it is refused with ENOSPC. The system property {@value #SESSIONS_PROPERTY} changes it.
     */
    public static final int DEFAULT_SESSIONS = Integer.getInteger("ovpndpdk.cryptodev.sessions", 16384);
    public static final String SESSIONS_PROPERTY = "ovpndpdk.cryptodev.sessions";
    private static final int IV_LENGTH = CipherAlg.NONCE_LENGTH;
    private static final int AAD_LENGTH = 8;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final CryptoVdev device;
    private final String driver;
    private final boolean hardware;
    private final int queues;
    private final int descriptors;
    private final Set<CipherAlg> supported;
    private final long sessionPool;
    private final int sessionPoolSize;
    private final long opPool;
    private final long wrapperPool;
    private final CryptodevQueue[] queue;
    /** Held around every enqueue when the device's queue pairs share a producer (a scheduler); else null. */
    private final Object enqueueLock;
    /**
     * What one of a crypto scheduler's worker-lcore rings holds (DPDK 22.11: 256 slots, one kept
     * free): all its queue pairs' requests in flight together.
     */
    static final int SCHEDULER_RING = 255;
    private final List<CryptodevKey> keys = new ArrayList<>();
    private boolean closed;

    private CryptodevEngine(CryptoVdev device, String driver, boolean hardware, int queues, int descriptors,
                            Set<CipherAlg> supported, long sessionPool, int sessionPoolSize, long opPool, long wrapperPool) {
        this.device = device;
        this.driver = driver;
        this.hardware = hardware;
        this.queues = queues;
        this.descriptors = descriptors;
        this.supported = supported;
        this.sessionPool = sessionPool;
        this.sessionPoolSize = sessionPoolSize;
        this.opPool = opPool;
        this.wrapperPool = wrapperPool;
        this.queue = new CryptodevQueue[queues];
        // The multi-core scheduler's queue pairs share its lcores' single-producer rings
        // (MultiCoreScheduler). A scheduler that existed before has arguments we never saw: its
        // mode is unknown, so it gets the lock too; one per burst costs little.
        this.enqueueLock = driver.equals("crypto_scheduler") && queues > 1 ? new Object() : null;
    }

    /** {@link #open(String, int, int, int, List)} with the defaults and, if EAL is down, EAL for software PMDs. */
    public static CryptodevEngine open(String devargs, int queues) {
        return open(devargs, queues, DEFAULT_DESCRIPTORS, DEFAULT_SESSIONS, CryptodevEal.softwareArguments());
    }

    /**
     * Opens the device and starts it.
     *
     * @param devargs     an existing crypto device's name, or vdev arguments (see {@link CryptoVdev})
     * @param queues      queue pairs, one per worker
     * @param descriptors per queue pair, a power of two; a queue holds at most {@code descriptors - 1}
     * @param sessions    keys (one per direction) the engine can hold at once
     * @param ealArgs     EAL's arguments if this call has to start it (ignored when EAL is up)
     * @throws IllegalStateException one line naming what is missing or what DPDK refused
     */
    public static CryptodevEngine open(String devargs, int queues, int descriptors, int sessions, List<String> ealArgs) {
        if (!Dpdk.isAvailable()) {
            throw new IllegalStateException("cryptodev engine unavailable: " + Dpdk.unavailableReason());
        }
        if (queues < 1 || Integer.bitCount(descriptors) != 1 || sessions < 1) {
            throw new IllegalArgumentException("cryptodev: queues " + queues + ", descriptors " + descriptors
                    + " (a power of two), sessions " + sessions);
        }
        String args = MultiCoreScheduler.devargs(devargs, queues);
        CryptodevEal.ensureUp(ealArgs);
        CryptoVdev device = CryptoVdev.open(args);
        int dev = device.dev;
        long sessionPool = 0;
        long opPool = 0;
        long wrapperPool = 0;
        boolean configured = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = RteCryptodevInfo.allocate(a);
            RteCryptodev.rte_cryptodev_info_get(dev, info);
            String driver = RteCryptodevInfo.driver_name(info);
            int maxQueues = RteCryptodevInfo.max_nb_queue_pairs(info);
            if (queues > maxQueues) {
                throw new IllegalStateException("cryptodev " + device.name + " (" + driver + ") has " + maxQueues
                        + " queue pairs, " + queues + " asked for");
            }
            boolean hardware = (RteCryptodevInfo.feature_flags(info) & RteCryptodev.RTE_CRYPTODEV_FF_HW_ACCELERATED) != 0;
            Set<CipherAlg> supported = capabilities(dev);
            int socket = RteCryptodev.rte_cryptodev_socket_id(dev);
            int id = POOLS.incrementAndGet();

            // A scheduler makes one session on each worker per session of its own, from the same
            // pool: size the elements for the largest device, and the count for all of them.
            int eltSize = 0;
            for (int d = 0; d < RteCryptodev.rte_cryptodev_count(); d++) {
                eltSize = Math.max(eltSize, RteCryptodev.rte_cryptodev_sym_get_private_session_size(d));
            }
            int sessionPoolSize = sessions * device.created.size() + sessions;
            // cache 0: workers are not EAL lcores, and a cache would hide what close() gave back
            sessionPool = RteErrno.checkPointer(RteCryptodev.rte_cryptodev_sym_session_pool_create("ovd_sess" + id,
                    sessionPoolSize, eltSize, 0, 0, socket), "rte_cryptodev_sym_session_pool_create");
            RteErrno.checkReturn(RteCryptodev.rte_cryptodev_configure(dev, RteCryptodevConfig.allocate(a, socket, queues)),
                    "rte_cryptodev_configure(" + device.name + ")");
            configured = true;
            MemorySegment qpConf = RteCryptodevQpConf.allocate(a, descriptors, sessionPool);
            for (int q = 0; q < queues; q++) {
                RteErrno.checkReturn(RteCryptodev.rte_cryptodev_queue_pair_setup(dev, q, qpConf, socket),
                        "rte_cryptodev_queue_pair_setup(" + device.name + ", " + q + ", " + descriptors + " descriptors)");
            }
            opPool = RteErrno.checkPointer(RteCrypto.rte_crypto_op_pool_create("ovd_ops" + id,
                    RteCrypto.RTE_CRYPTO_OP_TYPE_SYMMETRIC, queues * descriptors, 0, RteCrypto.OVD_CDEV_PRIV_SIZE, socket),
                    "rte_crypto_op_pool_create");
            if (!hardware) {
                wrapperPool = RteErrno.checkPointer(RteMbuf.rte_pktmbuf_pool_create("ovd_wrap" + id, queues * descriptors,
                        0, 0, 0, socket), "rte_pktmbuf_pool_create(wrappers)");
            }
            RteErrno.checkReturn(RteCryptodev.rte_cryptodev_start(dev), "rte_cryptodev_start(" + device.name + ")");
            return new CryptodevEngine(device, driver, hardware, queues, descriptors, supported, sessionPool,
                    sessionPoolSize, opPool, wrapperPool);
        } catch (RuntimeException e) {
            if (configured) {
                RteCryptodev.rte_cryptodev_close(dev);
            }
            device.remove();
            RteMempool.rte_mempool_free(wrapperPool);
            RteMempool.rte_mempool_free(opPool);
            RteMempool.rte_mempool_free(sessionPool);
            throw e instanceof IllegalStateException || e instanceof IllegalArgumentException ? e
                    : new IllegalStateException(e.getMessage(), e);
        }
    }

    /** What the device says it does, for OpenVPN's sizes: 16-byte tag, 12-byte IV, 8-byte AAD. */
    private static Set<CipherAlg> capabilities(int dev) {
        Set<CipherAlg> s = EnumSet.noneOf(CipherAlg.class);
        for (CipherAlg alg : CipherAlg.values()) {
            if (RteCryptodev.supportsAead(dev, algo(alg), alg.keyLength(), CipherAlg.TAG_LENGTH, AAD_LENGTH, IV_LENGTH)) {
                s.add(alg);
            }
        }
        return s;
    }

    private static int algo(CipherAlg alg) {
        return alg.isAesGcm() ? RteCryptoSymXform.RTE_CRYPTO_AEAD_AES_GCM : RteCryptoSymXform.RTE_CRYPTO_AEAD_CHACHA20_POLY1305;
    }

    @Override
    public String name() {
        return "cryptodev";
    }

    @Override
    public String describe() {
        return "cryptodev " + device.name + " (" + driver + ", " + (hardware ? "hardware" : "software") + "), " + queues
                + " queue pair(s) of " + descriptors + " descriptors, ciphers "
                + supported.stream().map(CipherAlg::openvpnName).collect(Collectors.joining(" "));
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return supported.contains(alg);
    }

    /** The crypto device's name ({@code crypto_aesni_gcm0}, {@code 0000:3d:01.0_qat_sym}). */
    /**
     * Whether the device DMAs (QAT): then it takes packets in mbufs only, whose memory EAL mapped
     * for it, and requests in plain memory — the socket backend's — are refused.
     */
    public boolean hardware() {
        return hardware;
    }

    public String deviceName() {
        return device.name;
    }

    /** The PMD's name ({@code crypto_aesni_gcm}, {@code crypto_scheduler}, {@code crypto_qat}). */
    public String driver() {
        return driver;
    }

    /** Sessions taken from the pool: a scheduler's session counts once for itself and once per worker. */
    public int sessionsInUse() {
        return RteMempool.rte_mempool_in_use_count(sessionPool);
    }

    /** Ops taken from the op pool (by queues, {@code depth} each). */
    public int opsInUse() {
        return RteMempool.rte_mempool_in_use_count(opPool);
    }

    @Override
    public synchronized AsyncAeadKey newKey(CipherAlg alg, MemorySegment key, MemorySegment nonceTail, boolean encrypt) {
        requireOpen();
        if (!supports(alg)) {
            throw new IllegalArgumentException("cryptodev " + device.name + " (" + driver + ") does not do " + alg);
        }
        if (key.byteSize() != alg.keyLength() || nonceTail.byteSize() != 8) {
            throw new IllegalArgumentException(alg + " needs a " + alg.keyLength() + "-byte key and an 8-byte nonce tail, got "
                    + key.byteSize() + " and " + nonceTail.byteSize());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment copy = a.allocate(key.byteSize()).copyFrom(key);
            MemorySegment xform = RteCryptoSymXform.aead(a,
                    encrypt ? RteCryptoSymXform.RTE_CRYPTO_AEAD_OP_ENCRYPT : RteCryptoSymXform.RTE_CRYPTO_AEAD_OP_DECRYPT,
                    algo(alg), copy, RteCrypto.OVD_CDEV_IV_OFFSET, IV_LENGTH, CipherAlg.TAG_LENGTH, AAD_LENGTH);
            long session = RteCryptodev.rte_cryptodev_sym_session_create(device.dev, xform, sessionPool);
            copy.fill((byte) 0); // the PMD has its own copy now
            if (session == 0) {
                int e = RteErrno.rte_errno();
                throw new IllegalStateException("rte_cryptodev_sym_session_create(" + device.name + ", " + alg + "): "
                        + RteErrno.rte_strerror(e) + " (rte_errno " + e + "); " + sessionsInUse() + " of " + sessionPoolSize
                        + " session pool elements in use");
            }
            CryptodevKey k = new CryptodevKey(this, alg, encrypt, session, nonceTail);
            keys.add(k);
            return k;
        }
    }

    synchronized void freeSession(CryptodevKey k) {
        keys.remove(k);
        if (!closed) {
            RteCryptodev.rte_cryptodev_sym_session_free(device.dev, k.session());
        }
    }

    @Override
    public synchronized CryptoQueue newQueue(int worker, int depth) {
        requireOpen();
        if (worker < 0 || worker >= queues) {
            throw new IllegalArgumentException("cryptodev " + device.name + " was opened with " + queues
                    + " queue pair(s), worker " + worker + " has none");
        }
        if (queue[worker] != null) {
            throw new IllegalArgumentException("worker " + worker + " already has its queue");
        }
        if (depth < 1 || depth >= descriptors) {
            throw new IllegalArgumentException("queue depth " + depth + ": 1 to " + (descriptors - 1)
                    + " (the queue pair has " + descriptors + " descriptors, and a ring keeps one free)");
        }
        // A scheduler's queue pairs share its lcores' rings (MultiCoreScheduler): together they
        // must not hold more than a ring takes, or the device refuses what the worker counted on.
        int d = driver.equals("crypto_scheduler") ? Math.min(depth, SCHEDULER_RING / queues) : depth;
        CryptodevQueue q = new CryptodevQueue(this, device.dev, worker, d, opPool, wrapperPool, enqueueLock);
        queue[worker] = q;
        return q;
    }

    synchronized void queueClosed(CryptodevQueue q) {
        if (queue[q.queuePair()] == q) {
            queue[q.queuePair()] = null;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("cryptodev engine " + device.name + " is closed");
        }
    }

    /**
     * Closes every queue (draining it) and key, stops and closes the device, removes the vdevs
     * it created and frees the pools. EAL stays up.
     */
    @Override
    public void close() {
        List<CryptodevQueue> qs;
        List<CryptodevKey> ks;
        synchronized (this) {
            if (closed) {
                return;
            }
            qs = new ArrayList<>();
            for (CryptodevQueue q : queue) {
                if (q != null) {
                    qs.add(q);
                }
            }
            ks = new ArrayList<>(keys);
        }
        qs.forEach(CryptodevQueue::close);
        ks.forEach(CryptodevKey::close);
        synchronized (this) {
            closed = true;
        }
        // Every queue gave its ops back and every key its sessions: what is left is a leak (a
        // scheduler's own sessions on its workers are freed with the device, below).
        int ops = opsInUse();
        int sessions = sessionsInUse();
        String line = "cryptodev " + device.name + " closed: ops in use " + ops + ", sessions in use " + sessions;
        if (ops == 0) {
            LOG.info(line);
        } else {
            LOG.warning(line);
        }
        RteCryptodev.rte_cryptodev_stop(device.dev);
        RteCryptodev.rte_cryptodev_close(device.dev);
        device.remove();
        RteMempool.rte_mempool_free(wrapperPool);
        RteMempool.rte_mempool_free(opPool);
        RteMempool.rte_mempool_free(sessionPool);
    }
}

package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Cpa;
import dev.ovpndpdk.bindings.qatlib.CpaCySymCapabilitiesInfo;
import dev.ovpndpdk.bindings.qatlib.CpaCySymSessionSetupData;
import dev.ovpndpdk.bindings.qatlib.CpaInstanceInfo2;
import dev.ovpndpdk.bindings.qatlib.Qatlib;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadKey;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.crypto.CryptoQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Intel QAT through qatlib's data-plane API ({@code --crypto qat}): one qatlib crypto instance
 * per worker queue, one session per key, direction and instance, completions collected in C
 * (async-crypto.md §1, docs/qatlib.md).
 *
 * <p><b>Start-up</b> follows §1.8's order and stops at the first failure with a
 * {@link QatUnavailableException} of one line: the library ({@code libqat.so.4}; Debian 12 has
 * none), a device ({@code icp_sal_userIsQatAvailable}, which only scans), then
 * {@code icp_sal_userStart}. Then, per instance used: info (NUMA node, polled), capabilities,
 * USDM address translation, start, our completion callback (§1.2).
 *
 * <p><b>Memory: copy-in/copy-out, not zero-copy.</b> The device reads and writes only USDM memory
 * (or memory mapped with {@code qaeMemMapContiguousIova}, qatlib 26.02 and later), and packets
 * come as plain addresses of mbufs or socket slots, which are neither. So each request has a
 * bounce buffer in USDM: the header and data are copied in at submit, and after a successful
 * completion the tag and ciphertext (seal) or the plaintext (open) are copied back. A failed
 * open copies nothing back, so the unverified plaintext that the DP API leaves behind (§1.6)
 * never reaches the packet. The cost is two copies of at most {@code maxPacket} bytes per
 * request on the worker; zero-copy on mapped mbuf memory is future work (docs/qatlib.md).
 *
 * <p>Packets longer than the bounce buffer ({@link Settings#maxPacket}) are taken and completed
 * with {@link dev.ovpndpdk.crypto.CryptoCompletions#ERROR}.
 */
public final class QatlibEngine implements AsyncAeadEngine {

    /** qatlib configuration section, as in {@code icp_sal_userStart("SSL")}. */
    public static final String SECTION_PROPERTY = "ovpn.qatlib.section";
    /** Largest header + data a bounce buffer holds. */
    public static final String MAX_PACKET_PROPERTY = "ovpn.qatlib.max-packet";
    /** The 24-byte P_DATA_V2 header: AAD 8, tag 16. */
    static final int HEADER = 24;
    static final int AAD = 8;

    /**
     * @param section   configuration section for {@code icp_sal_userStart}
     * @param maxPacket largest header + data of one request, the bounce buffer's size
     */
    public record Settings(String section, int maxPacket) {
        public Settings {
            if (maxPacket < HEADER || maxPacket > 65536) {
                throw new IllegalArgumentException("maxPacket " + maxPacket + " not in [24, 65536]");
            }
        }

        /** From {@value #SECTION_PROPERTY} / {@code OVPN_QATLIB_SECTION} (default SSL) and {@value #MAX_PACKET_PROPERTY} (default 2048). */
        public static Settings configured() {
            String section = System.getProperty(SECTION_PROPERTY, System.getenv("OVPN_QATLIB_SECTION"));
            return new Settings(section == null || section.isBlank() ? "SSL" : section,
                    Integer.getInteger(MAX_PACKET_PROPERTY, 2048));
        }
    }

    /** One started crypto instance. */
    record Instance(int index, long handle, int node) {
    }

    private final Qatlib lib;
    private final Settings settings;
    private final Instance[] instances;
    private final int available;
    private final int ciphers;
    private final AtomicReferenceArray<QatlibQueue> queues;
    private final Set<QatlibKey> keys = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private QatlibEngine(Qatlib lib, Settings settings, Instance[] instances, int available, int ciphers) {
        this.lib = lib;
        this.settings = settings;
        this.instances = instances;
        this.available = available;
        this.ciphers = ciphers;
        this.queues = new AtomicReferenceArray<>(instances.length);
    }

    /** Opens qatlib from {@link Qatlib.Paths#configured()} with {@link Settings#configured()}. */
    public static QatlibEngine open(int queues) {
        return open(Qatlib.load(), Settings.configured(), queues);
    }

    /**
     * Starts qatlib and {@code min(queues, instances available)} of its crypto instances.
     *
     * @throws QatUnavailableException one line: what is missing, at which step
     */
    public static QatlibEngine open(Qatlib lib, Settings settings, int queues) {
        if (queues < 1) {
            throw new IllegalArgumentException("queues " + queues);
        }
        if (!lib.isAvailable()) {
            throw new QatUnavailableException(lib.unavailableReason());
        }
        if (!lib.icp_sal_userIsQatAvailable()) {
            throw new QatUnavailableException("no QAT device: qatlib found no QAT VF bound to vfio-pci"
                    + " (qatlib drives Gen4 and later devices only)");
        }
        int s = lib.icp_sal_userStart(settings.section());
        if (s != Cpa.CPA_STATUS_SUCCESS) {
            throw new QatUnavailableException("icp_sal_userStart(\"" + settings.section() + "\") failed: "
                    + Cpa.statusName(s) + " (is qatmgr running, or QAT_POLICY set, and may this user open /dev/vfio?)");
        }
        try {
            return startInstances(lib, settings, queues);
        } catch (QatUnavailableException e) {
            lib.icp_sal_userStop();
            throw e;
        }
    }

    private static QatlibEngine startInstances(Qatlib lib, Settings settings, int queues) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment num = a.allocate(JAVA_SHORT);
            check(lib.cpaCyGetNumInstances(num.address()), "cpaCyGetNumInstances");
            int available = Short.toUnsignedInt(num.get(JAVA_SHORT, 0));
            if (available == 0) {
                throw new QatUnavailableException("qatlib section \"" + settings.section() + "\" gives this process no"
                        + " crypto instances (check the section's NumberCyInstances or qatmgr's policy)");
            }
            MemorySegment handles = a.allocate(JAVA_LONG, available);
            check(lib.cpaCyGetInstances(available, handles.address()), "cpaCyGetInstances");
            int used = Math.min(queues, available);
            Instance[] started = new Instance[used];
            MemorySegment info = a.allocate(CpaInstanceInfo2.SIZE, 8);
            MemorySegment caps = a.allocate(CpaCySymCapabilitiesInfo.SIZE, 8);
            int ciphers = -1;
            try {
                for (int i = 0; i < used; i++) {
                    long h = handles.getAtIndex(JAVA_LONG, i);
                    check(lib.cpaCyInstanceGetInfo2(h, info.address()), "cpaCyInstanceGetInfo2");
                    if (info.get(JAVA_INT, CpaInstanceInfo2.isPolled$OFFSET) == Cpa.CPA_FALSE) {
                        throw new QatUnavailableException("qatlib instance " + i + " is not polled; the data-plane API"
                                + " needs polled instances (set the section's CyNIsPolled = 1)");
                    }
                    check(lib.cpaCySymQueryCapabilities(h, caps.address()), "cpaCySymQueryCapabilities");
                    ciphers &= caps.get(JAVA_INT, CpaCySymCapabilitiesInfo.ciphers$OFFSET);
                    check(lib.cpaCySetAddressTranslationToUsdm(h), "cpaCySetAddressTranslation");
                    check(lib.cpaCyStartInstance(h), "cpaCyStartInstance");
                    started[i] = new Instance(i, h, info.get(JAVA_INT, CpaInstanceInfo2.nodeAffinity$OFFSET));
                    check(lib.cpaCySymDpRegCbFunc(h, lib.completions().callback()), "cpaCySymDpRegCbFunc");
                }
            } catch (QatUnavailableException e) {
                for (Instance in : started) {
                    if (in != null) {
                        lib.cpaCyStopInstance(in.handle());
                    }
                }
                throw e;
            }
            if (!CpaCySymCapabilitiesInfo.hasCipher(ciphers, CpaCySymSessionSetupData.CPA_CY_SYM_CIPHER_AES_GCM)
                    && !CpaCySymCapabilitiesInfo.hasCipher(ciphers, CpaCySymSessionSetupData.CPA_CY_SYM_CIPHER_CHACHA)) {
                for (Instance in : started) {
                    lib.cpaCyStopInstance(in.handle());
                }
                throw new QatUnavailableException("the QAT instances offer neither AES-GCM nor ChaCha20-Poly1305");
            }
            return new QatlibEngine(lib, settings, started, available, ciphers);
        }
    }

    private static void check(int status, String call) {
        if (status != Cpa.CPA_STATUS_SUCCESS) {
            throw new QatUnavailableException(call + " failed: " + Cpa.statusName(status));
        }
    }

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public String describe() {
        return "qatlib (" + lib.describe() + "), " + instances.length + " of " + available + " crypto instances, section "
                + settings.section() + ", NUMA node " + instances[0].node() + ", "
                + (supports(CipherAlg.CHACHA20_POLY1305) ? "AES-GCM and ChaCha20-Poly1305" : "AES-GCM only")
                + ", bounce buffers of " + settings.maxPacket() + " B";
    }

    @Override
    public boolean supports(CipherAlg alg) {
        return CpaCySymCapabilitiesInfo.hasCipher(ciphers, alg.isAesGcm()
                ? CpaCySymSessionSetupData.CPA_CY_SYM_CIPHER_AES_GCM : CpaCySymSessionSetupData.CPA_CY_SYM_CIPHER_CHACHA);
    }

    @Override
    public synchronized AsyncAeadKey newKey(CipherAlg alg, MemorySegment key, MemorySegment nonceTail, boolean encrypt) {
        requireOpen();
        if (key.byteSize() != alg.keyLength()) {
            throw new IllegalArgumentException(alg + " needs a " + alg.keyLength() + "-byte key, got " + key.byteSize());
        }
        if (nonceTail.byteSize() != 8) {
            throw new IllegalArgumentException("the nonce tail is 8 bytes, got " + nonceTail.byteSize());
        }
        if (!supports(alg)) {
            throw new IllegalArgumentException(alg + " is not offered by these QAT instances");
        }
        QatlibKey k = QatlibKey.create(this, alg, key, nonceTail, encrypt);
        keys.add(k);
        return k;
    }

    @Override
    public synchronized CryptoQueue newQueue(int worker, int depth) {
        requireOpen();
        if (worker < 0 || worker >= instances.length) {
            throw new IllegalArgumentException("worker " + worker + ": the qat engine has " + instances.length
                    + " queues (crypto instances started)");
        }
        if (queue(worker) != null) {
            throw new IllegalStateException("worker " + worker + " already has a queue");
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth " + depth);
        }
        QatlibQueue q = new QatlibQueue(this, instances[worker], depth);
        queues.set(worker, q);
        return q;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Outside the engine's lock: a key's close asks the engine for its queues.
        for (int i = 0; i < queues.length(); i++) {
            QatlibQueue q = queues.get(i);
            if (q != null) {
                q.close();
            }
        }
        for (QatlibKey k : keys) {
            k.close();
        }
        for (Instance in : instances) {
            lib.cpaCyStopInstance(in.handle());
        }
        lib.icp_sal_userStop();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("qat engine closed");
        }
    }

    Qatlib lib() {
        return lib;
    }

    Settings settings() {
        return settings;
    }

    Instance[] instances() {
        return instances;
    }

    /** The live queue of instance {@code i}, or null: where a key hands a session it could not remove yet. */
    QatlibQueue queue(int i) {
        QatlibQueue q = queues.get(i);
        return q == null || q.isClosed() ? null : q;
    }

    void forget(QatlibKey k) {
        keys.remove(k);
    }
}

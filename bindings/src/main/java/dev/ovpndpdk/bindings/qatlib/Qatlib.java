package dev.ovpndpdk.bindings.qatlib;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * qatlib loaded at run time: {@code libqat.so.4} (the {@code cpa*} and {@code icp_sal*} calls),
 * {@code libusdm.so.0} (the {@code qae*} DMA memory calls) and our completion callback
 * {@code libovpndpdk_qatcb.so} ({@link QatCompletionRing}).
 *
 * <p>An object rather than static handles, so one process (a test) can load several candidates;
 * the data path makes three calls per burst through it, never one per packet. {@link #load()}
 * never throws: where something is missing, {@link #unavailableReason()} is one line saying
 * what and what to do, and no downcall is linked. Only the first step of async-crypto.md §1.8
 * happens here (is the library there?); the device probe and start are the engine's.
 *
 * <p>Paths: the system properties {@value #LIBRARY_PROPERTY}, {@value #USDM_PROPERTY} and
 * {@value #CALLBACKS_PROPERTY}, else the environment variables {@code OVPN_QATLIB_LIBRARY} and
 * {@code OVPN_QATLIB_USDM}, else the sonames (and the callback library from this jar).
 *
 * <p>Addresses are passed as {@code long}s. Every method trusts its arguments; the engine
 * checks them.
 */
// Looking up libraries and linking downcalls are restricted operations; this is where qatlib's are done.
@SuppressWarnings("restricted")
public final class Qatlib {

    public static final String QAT_SONAME = "libqat.so.4";
    public static final String USDM_SONAME = "libusdm.so.0";
    public static final String CALLBACKS_NAME = "libovpndpdk_qatcb.so";
    public static final String LIBRARY_PROPERTY = "ovpn.qatlib.library";
    public static final String USDM_PROPERTY = "ovpn.qatlib.usdm";
    public static final String CALLBACKS_PROPERTY = "ovpn.qatlib.callbacks";
    static final String CALLBACKS_RESOURCE = "/native/linux-x86_64/" + CALLBACKS_NAME;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    /** Where to load the three libraries from; null fields mean "the default". */
    public record Paths(String qat, String usdm, String callbacks) {
        /** From the system properties, else the environment, else null. */
        public static Paths configured() {
            return new Paths(setting(LIBRARY_PROPERTY, "OVPN_QATLIB_LIBRARY"),
                    setting(USDM_PROPERTY, "OVPN_QATLIB_USDM"), setting(CALLBACKS_PROPERTY, null));
        }

        private static String setting(String property, String env) {
            String v = System.getProperty(property);
            if ((v == null || v.isBlank()) && env != null) {
                v = System.getenv(env);
            }
            return v == null || v.isBlank() ? null : v;
        }
    }

    private final String failure;
    private final String description;
    private final QatCompletionRing.Library completions;

    private final MethodHandle isQatAvailable;
    private final MethodHandle userStart;
    private final MethodHandle userStop;
    private final MethodHandle getNumInstances;
    private final MethodHandle getInstances;
    private final MethodHandle instanceGetInfo2;
    private final MethodHandle symQueryCapabilities;
    private final MethodHandle setAddressTranslation;
    private final MethodHandle startInstance;
    private final MethodHandle stopInstance;
    private final MethodHandle dpRegCbFunc;
    private final MethodHandle dpSessionCtxGetSize;
    private final MethodHandle dpInitSession;
    private final MethodHandle dpRemoveSession;
    private final MethodHandle dpEnqueueOp;
    private final MethodHandle dpEnqueueOpBatch;
    private final MethodHandle dpPerformOpNow;
    private final MethodHandle memAllocNuma;
    private final MethodHandle memFreeNuma;
    private final MethodHandle virtToPhysNuma;
    private final long virtToPhysNumaAddress;

    private static Qatlib missing(String failure) {
        return new Qatlib(failure, null, null, null, null);
    }

    /** Links every function now, so a library without one of them is refused at load, not mid-traffic. */
    private Qatlib(String failure, String description, SymbolLookup lib, String name, QatCompletionRing.Library cb) {
        this.failure = failure;
        this.description = description;
        isQatAvailable = call(lib, name, "icp_sal_userIsQatAvailable", FunctionDescriptor.of(JAVA_INT));
        userStart = call(lib, name, "icp_sal_userStart", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        userStop = call(lib, name, "icp_sal_userStop", FunctionDescriptor.of(JAVA_INT));
        getNumInstances = call(lib, name, "cpaCyGetNumInstances", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        getInstances = call(lib, name, "cpaCyGetInstances", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_LONG));
        instanceGetInfo2 = call(lib, name, "cpaCyInstanceGetInfo2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        symQueryCapabilities = call(lib, name, "cpaCySymQueryCapabilities",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        setAddressTranslation = call(lib, name, "cpaCySetAddressTranslation",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        startInstance = call(lib, name, "cpaCyStartInstance", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        stopInstance = call(lib, name, "cpaCyStopInstance", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        dpRegCbFunc = call(lib, name, "cpaCySymDpRegCbFunc", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        dpSessionCtxGetSize = call(lib, name, "cpaCySymDpSessionCtxGetSize",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        dpInitSession = call(lib, name, "cpaCySymDpInitSession", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        dpRemoveSession = call(lib, name, "cpaCySymDpRemoveSession", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        // The data path: bounded, never blocking, so linked critical (no thread-state transition).
        dpEnqueueOp = critical(lib, name, "cpaCySymDpEnqueueOp", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        dpEnqueueOpBatch = critical(lib, name, "cpaCySymDpEnqueueOpBatch",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
        dpPerformOpNow = critical(lib, name, "cpaCySymDpPerformOpNow", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        memAllocNuma = call(lib, name, "qaeMemAllocNUMA", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG));
        memFreeNuma = call(lib, name, "qaeMemFreeNUMA", FunctionDescriptor.ofVoid(JAVA_LONG));
        virtToPhysNuma = critical(lib, name, "qaeVirtToPhysNUMA", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        virtToPhysNumaAddress = lib == null ? 0 : symbol(lib, name, "qaeVirtToPhysNUMA").address();
        completions = lib == null ? null : cb.bind(symbol(lib, name, "icp_sal_CyPollDpInstance").address());
    }

    /** Loads from {@link Paths#configured()}. */
    public static Qatlib load() {
        return load(Paths.configured());
    }

    public static Qatlib load(Paths paths) {
        String qatName = paths.qat() != null ? paths.qat() : QAT_SONAME;
        SymbolLookup qat;
        try {
            qat = SymbolLookup.libraryLookup(qatName, Arena.global());
        } catch (IllegalArgumentException notFound) {
            return missing(qatName + " not found: qatlib is not installed (Debian 12 has no qatlib package;"
                    + " build intel/qatlib, or point -D" + LIBRARY_PROPERTY + " at libqat.so.4)");
        }
        String usdmName = paths.usdm() != null ? paths.usdm() : USDM_SONAME;
        SymbolLookup usdm;
        try {
            usdm = SymbolLookup.libraryLookup(usdmName, Arena.global());
        } catch (IllegalArgumentException notFound) {
            return missing(usdmName + " not found next to " + qatName + ": qatlib's USDM library is missing"
                    + " (point -D" + USDM_PROPERTY + " at libusdm.so.0)");
        }
        QatCompletionRing.Library cb;
        try {
            cb = loadCallbacks(paths.callbacks());
        } catch (IllegalStateException e) {
            return missing(e.getMessage());
        }
        try {
            return new Qatlib(null, qatName + ", " + usdmName + ", completions " + cb.path(), qat.or(usdm), qatName, cb);
        } catch (IllegalStateException e) {
            return missing(e.getMessage());
        }
    }

    private static QatCompletionRing.Library loadCallbacks(String configured) {
        if (configured != null) {
            if (!Files.isReadable(Path.of(configured))) {
                throw new IllegalStateException("-D" + CALLBACKS_PROPERTY + "=" + configured + " names no readable file");
            }
            return QatCompletionRing.Library.open(SymbolLookup.libraryLookup(Path.of(configured), Arena.global()), configured);
        }
        try (InputStream in = Qatlib.class.getResourceAsStream(CALLBACKS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("this build has no " + CALLBACKS_NAME
                        + " (built without gcc): apt-get install gcc and rebuild bindings/");
            }
            Path tmp = Files.createTempFile("libovpndpdk_qatcb", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return QatCompletionRing.Library.open(SymbolLookup.libraryLookup(tmp, Arena.global()),
                        "jar:" + CALLBACKS_RESOURCE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract " + CALLBACKS_RESOURCE + ": " + e.getMessage());
        }
    }

    static MemorySegment symbol(SymbolLookup lookup, String lib, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(lib + " has no symbol " + name
                + ": not a qatlib this binding knows (need libqat.so.4 with the data-plane API)"));
    }

    /** A handle for {@code name}, or null where nothing was loaded (every call checks first). */
    private static MethodHandle call(SymbolLookup lookup, String lib, String name, FunctionDescriptor fd) {
        return lookup == null ? null : LINKER.downcallHandle(symbol(lookup, lib, name), fd);
    }

    static MethodHandle critical(SymbolLookup lookup, String lib, String name, FunctionDescriptor fd) {
        return lookup == null ? null : LINKER.downcallHandle(symbol(lookup, lib, name), fd, CRITICAL);
    }

    public boolean isAvailable() {
        return failure == null;
    }

    /** One line naming what is missing and what to do; null when available. */
    public String unavailableReason() {
        return failure;
    }

    /** The libraries loaded, for the start-up line. */
    public String describe() {
        return description;
    }

    private void requireAvailable() {
        if (failure != null) {
            throw new UnsupportedOperationException(failure);
        }
    }

    /** Our completion callback and poll, bound to this qatlib's {@code icp_sal_CyPollDpInstance}. */
    public QatCompletionRing.Library completions() {
        requireAvailable();
        return completions;
    }

    static AssertionError unexpected(Throwable t) {
        return new AssertionError("a qatlib downcall threw, which it cannot: binding bug", t);
    }

    /** {@code CpaBoolean icp_sal_userIsQatAvailable(void)}: scans for QAT VFs, no side effects. */
    public boolean icp_sal_userIsQatAvailable() {
        requireAvailable();
        try {
            return (int) isQatAvailable.invokeExact() != Cpa.CPA_FALSE;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code CpaStatus icp_sal_userStart(const char *pProcessName)}: the configuration section. */
    public int icp_sal_userStart(String section) {
        requireAvailable();
        try (Arena a = Arena.ofConfined()) {
            return (int) userStart.invokeExact(a.allocateFrom(section).address());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public int icp_sal_userStop() {
        requireAvailable();
        try {
            return (int) userStop.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code cpaCyGetNumInstances(Cpa16U *)}: writes a {@code uint16_t} at {@code numOut}. */
    public int cpaCyGetNumInstances(long numOut) {
        requireAvailable();
        try {
            return (int) getNumInstances.invokeExact(numOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code cpaCyGetInstances(Cpa16U n, CpaInstanceHandle *)}: {@code n} handles at {@code handlesOut}. */
    public int cpaCyGetInstances(int n, long handlesOut) {
        requireAvailable();
        try {
            return (int) getInstances.invokeExact((short) n, handlesOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Fills a {@link CpaInstanceInfo2} at {@code info}. */
    public int cpaCyInstanceGetInfo2(long instance, long info) {
        requireAvailable();
        try {
            return (int) instanceGetInfo2.invokeExact(instance, info);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Fills a {@link CpaCySymCapabilitiesInfo} at {@code info}. */
    public int cpaCySymQueryCapabilities(long instance, long info) {
        requireAvailable();
        try {
            return (int) symQueryCapabilities.invokeExact(instance, info);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Registers {@code qaeVirtToPhysNUMA} as the instance's translation (async-crypto.md §1.2 step 5). */
    public int cpaCySetAddressTranslationToUsdm(long instance) {
        requireAvailable();
        try {
            return (int) setAddressTranslation.invokeExact(instance, virtToPhysNumaAddress);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public int cpaCyStartInstance(long instance) {
        requireAvailable();
        try {
            return (int) startInstance.invokeExact(instance);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public int cpaCyStopInstance(long instance) {
        requireAvailable();
        try {
            return (int) stopInstance.invokeExact(instance);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Registers the callback at {@code callback} (ours: {@link QatCompletionRing.Library#callback()}). */
    public int cpaCySymDpRegCbFunc(long instance, long callback) {
        requireAvailable();
        try {
            return (int) dpRegCbFunc.invokeExact(instance, callback);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Writes the session context's size (a {@code Cpa32U}) at {@code sizeOut}. */
    public int cpaCySymDpSessionCtxGetSize(long instance, long setup, long sizeOut) {
        requireAvailable();
        try {
            return (int) dpSessionCtxGetSize.invokeExact(instance, setup, sizeOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public int cpaCySymDpInitSession(long instance, long setup, long sessionCtx) {
        requireAvailable();
        try {
            return (int) dpInitSession.invokeExact(instance, setup, sessionCtx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@link Cpa#CPA_STATUS_RETRY} while requests on the session are in flight. */
    public int cpaCySymDpRemoveSession(long instance, long sessionCtx) {
        requireAvailable();
        try {
            return (int) dpRemoveSession.invokeExact(instance, sessionCtx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public int cpaCySymDpEnqueueOp(long opData, boolean performOpNow) {
        try {
            return (int) dpEnqueueOp.invokeExact(opData, performOpNow ? Cpa.CPA_TRUE : Cpa.CPA_FALSE);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Enqueues {@code n} requests whose addresses are at {@code opDataArray}. All or nothing:
     * {@link Cpa#CPA_STATUS_RETRY} when the ring has no room for all of them.
     */
    public int cpaCySymDpEnqueueOpBatch(int n, long opDataArray, boolean performOpNow) {
        try {
            return (int) dpEnqueueOpBatch.invokeExact(n, opDataArray, performOpNow ? Cpa.CPA_TRUE : Cpa.CPA_FALSE);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Rings the doorbell once for everything enqueued so far. */
    public int cpaCySymDpPerformOpNow(long instance) {
        try {
            return (int) dpPerformOpNow.invokeExact(instance);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Pinned, IOVA-contiguous memory; 0 on failure. At most 64 MiB, alignment a power of two. */
    public long qaeMemAllocNUMA(long size, int node, long physAlignment) {
        requireAvailable();
        try {
            return (long) memAllocNuma.invokeExact(size, node, physAlignment);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code qaeMemFreeNUMA(void **)}: frees the block whose address is stored at {@code ptrRef}, and clears it. */
    public void qaeMemFreeNUMA(long ptrRef) {
        requireAvailable();
        try {
            memFreeNuma.invokeExact(ptrRef);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The IOVA of {@code virt}, which must lie in USDM memory; 0 for any other address. */
    public long qaeVirtToPhysNUMA(long virt) {
        requireAvailable();
        try {
            return (long) virtToPhysNuma.invokeExact(virt);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

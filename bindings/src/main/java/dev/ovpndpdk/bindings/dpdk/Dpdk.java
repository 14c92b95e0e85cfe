package dev.ovpndpdk.bindings.dpdk;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Whether DPDK can be used in this process, and where every symbol of this package comes from:
 * DPDK 22.11's libraries ({@code librte_eal.so.23}, mempool, mbuf, ring, ethdev, cryptodev,
 * bus_vdev) and our shim
 * {@code libovpndpdk_shim.so}, which exports DPDK's {@code static inline} fast-path functions
 * (see {@code src/main/c/ovpn_dpdk_shim.h}).
 *
 * <p>The shim is loaded from the file named by the system property {@value #SHIM_PROPERTY}, or
 * else extracted from this jar's resource {@code native/linux-<arch>/libovpndpdk_shim.so} to a
 * temporary file, which is deleted again as soon as it is mapped.
 *
 * <p>Nothing here throws at class initialisation. Where DPDK is missing, {@link #isAvailable()}
 * is false, {@link #unavailableReason()} is one line naming what to install, and every binding
 * in the package throws {@link UnsupportedOperationException} with that line when called.
 */
// Looking up libraries and linking downcalls are restricted operations; this is where the package does them.
@SuppressWarnings("restricted")
public final class Dpdk {

    /** Sonames of DPDK 22.11 (ABI 23), in dependency order. */
    public static final List<String> LIBRARIES = List.of(
            "librte_eal.so.23", "librte_mempool.so.23", "librte_mbuf.so.23", "librte_ring.so.23",
            "librte_ethdev.so.23", "librte_cryptodev.so.23", "librte_bus_vdev.so.23");
    public static final String SHIM_PROPERTY = "ovpndpdk.shim";
    public static final String SHIM_NAME = "libovpndpdk_shim.so";
    /** Where {@code src/main/c/build.sh} puts the shim on the class path (only where it found DPDK). */
    static final String SHIM_RESOURCE = "/native/linux-x86_64/" + SHIM_NAME;
    /** {@code OVD_SHIM_ABI} of the shim these bindings were written for. */
    public static final int SHIM_ABI = 3;
    /** {@code RTE_VERSION_NUM(22, 11, 0, 0) >> 16}: the release whose layouts this package encodes. */
    static final int RTE_RELEASE = (22 << 8) | 11;

    static final Linker LINKER = Linker.nativeLinker();
    /** All of the address space, for the accessors that read and write structs at a raw address. */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private record Loaded(SymbolLookup lookup, String shimPath, String failure) {
    }

    private static final Loaded LIB = load();

    private Dpdk() {
    }

    /** True when DPDK 22.11 and a matching shim are loaded: the bindings can be called. */
    public static boolean isAvailable() {
        return LIB.failure == null;
    }

    /** Why {@link #isAvailable()} is false, as one line that names what to install; null when available. */
    public static String unavailableReason() {
        return LIB.failure;
    }

    /** Throws {@link UnsupportedOperationException} with {@link #unavailableReason()}; a no-op when available. */
    public static void requireAvailable() {
        if (LIB.failure != null) {
            throw new UnsupportedOperationException(LIB.failure);
        }
    }

    /** The shim that was loaded (a path, or the resource it was extracted from); null when none. */
    public static String shimPath() {
        return LIB.shimPath;
    }

    private static Loaded load() {
        try {
            return loadOrExplain();
        } catch (RuntimeException | LinkageError e) {
            // Never fail class initialisation: a machine without DPDK must still run the socket backend.
            return new Loaded(null, null, "DPDK bindings could not be loaded: " + e);
        }
    }

    private static Loaded loadOrExplain() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Loaded(null, null, "DPDK bindings are built for Linux x86_64 (this is " + os + "/" + arch + ")");
        }
        SymbolLookup lookup = null;
        for (String lib : LIBRARIES) {
            SymbolLookup l;
            try {
                l = SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (IllegalArgumentException notFound) {
                return new Loaded(null, null, "DPDK 22.11 libraries not found (" + lib + "): apt-get install dpdk libdpdk-dev");
            }
            lookup = lookup == null ? l : lookup.or(l);
        }
        String runtime = versionString(lookup);
        if (!runtime.startsWith("DPDK 22.11")) {
            return new Loaded(null, null, "these bindings need DPDK 22.11 but " + LIBRARIES.getFirst() + " is " + runtime
                    + ": install Debian 12's dpdk and libdpdk-dev (22.11)");
        }
        String configured = System.getProperty(SHIM_PROPERTY);
        SymbolLookup shim;
        String shimPath;
        if (configured != null && !configured.isBlank()) {
            if (!Files.isReadable(Path.of(configured))) {
                return new Loaded(null, configured, "-D" + SHIM_PROPERTY + "=" + configured + " names no readable file");
            }
            shim = SymbolLookup.libraryLookup(Path.of(configured), Arena.global());
            shimPath = configured;
        } else {
            try (InputStream in = Dpdk.class.getResourceAsStream(SHIM_RESOURCE)) {
                if (in == null) {
                    return new Loaded(null, null, "this build has no DPDK shim (" + SHIM_NAME + " was skipped for lack of"
                            + " gcc, pkg-config or DPDK headers): apt-get install gcc pkg-config libdpdk-dev and rebuild");
                }
                shim = extractAndLoad(in);
                shimPath = "jar:" + SHIM_RESOURCE;
            } catch (IOException e) {
                return new Loaded(null, null, "cannot extract the DPDK shim " + SHIM_RESOURCE + " to a temporary file: " + e.getMessage());
            }
        }
        Loaded failed = checkShim(shim, shimPath);
        if (failed != null) {
            return failed;
        }
        return new Loaded(lookup.or(shim), shimPath, null);
    }

    /** Copies the shim out of the jar and maps it; the file goes once mapped (Linux keeps the mapping). */
    private static SymbolLookup extractAndLoad(InputStream in) throws IOException {
        Path tmp = Files.createTempFile("libovpndpdk_shim", ".so");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return SymbolLookup.libraryLookup(tmp, Arena.global());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Loaded checkShim(SymbolLookup shim, String path) {
        try {
            int abi = (int) LINKER.downcallHandle(symbol(shim, path, "ovd_shim_abi"), FunctionDescriptor.of(JAVA_INT))
                    .invokeExact();
            int built = (int) LINKER.downcallHandle(symbol(shim, path, "ovd_shim_rte_version"), FunctionDescriptor.of(JAVA_INT))
                    .invokeExact();
            if (abi != SHIM_ABI) {
                return new Loaded(null, path, "DPDK shim " + path + " has ABI " + abi + ", these bindings need " + SHIM_ABI
                        + ": rebuild bindings/ (mvn package)");
            }
            if ((built >>> 16) != RTE_RELEASE) {
                return new Loaded(null, path, "DPDK shim " + path + " was built against DPDK " + (built >>> 24) + "."
                        + ((built >>> 16) & 0xff) + ", the libraries are 22.11: rebuild bindings/ against libdpdk-dev 22.11");
            }
            return null;
        } catch (IllegalStateException e) {
            return new Loaded(null, path, e.getMessage());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static String versionString(SymbolLookup eal) {
        try {
            MemorySegment s = (MemorySegment) LINKER.downcallHandle(symbol(eal, LIBRARIES.getFirst(), "rte_version"),
                    FunctionDescriptor.of(ADDRESS)).invokeExact();
            return cString(s, 64);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static MemorySegment symbol(SymbolLookup lookup, String lib, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(lib + " has no symbol " + name
                + ": rebuild bindings/ (mvn package)"));
    }

    /**
     * A downcall handle for {@code name}; where DPDK is unavailable, a handle of the same type that
     * throws {@link UnsupportedOperationException} with the reason, so no binding needs its own check.
     */
    static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LIB.lookup == null ? unavailable(fd) : LINKER.downcallHandle(symbol(LIB.lookup, "DPDK", name), fd);
    }

    /**
     * Same, linked {@link Linker.Option#critical critical} (no thread-state transition, ~2-3 ns
     * cheaper): only for calls that never block and return in bounded time — the burst, mbuf
     * and ring calls, and the TLS readers. Such a call delays safepoints (GC) while it runs.
     */
    static MethodHandle critical(String name, FunctionDescriptor fd) {
        return LIB.lookup == null ? unavailable(fd)
                : LINKER.downcallHandle(symbol(LIB.lookup, "DPDK", name), fd, Linker.Option.critical(false));
    }

    private static MethodHandle unavailable(FunctionDescriptor fd) {
        MethodType type = fd.toMethodType();
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), UnsupportedOperationException.class)
                .bindTo(new UnsupportedOperationException(LIB.failure));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }

    /** The NUL-terminated string DPDK returned at {@code p} (at most {@code max} bytes), "" for NULL. */
    static String cString(MemorySegment p, int max) {
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(max).getString(0);
    }

    /**
     * What to throw when invoking a downcall handle throws: the {@link UnsupportedOperationException}
     * of an unavailable binding is rethrown as is; anything else cannot happen (native code does
     * not throw Java exceptions and types are fixed at link time), so it is a binding bug.
     */
    static AssertionError unexpected(Throwable t) {
        if (t instanceof UnsupportedOperationException u) {
            throw u;
        }
        return new AssertionError("a DPDK downcall threw, which it cannot: binding bug", t);
    }
}

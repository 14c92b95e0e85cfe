package dev.ovpndpdk.bindings.ipsecmb;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code libIPSec_MB.so}: loading, the version check, and the exported functions (manager
 * life cycle, version, errors). The crypto entry points are not exported symbols but function
 * pointers in {@code IMB_MGR}; {@link IpsecMb} links those.
 *
 * <p>Loads {@code libIPSec_MB.so.1} (Debian/Ubuntu package {@code libipsec-mb1}), or the file
 * named by the system property {@value #LIBRARY_PROPERTY}. Only 1.x from 1.3 on is accepted:
 * the {@code IMB_MGR} offsets in {@link ImbMgr} are those of 1.3 and stay put through 1.x, and
 * 2.0 reorganised the manager.
 */
public final class IpsecMbLibrary {

    public static final String SONAME = "libIPSec_MB.so.1";
    public static final String LIBRARY_PROPERTY = "ovpn.ipsecmb.library";
    /** {@code IMB_VERSION(1, 3, 0)}: the oldest version whose layout we encode. */
    public static final int MIN_VERSION = 0x010300;
    /** {@code IMB_VERSION(2, 0, 0)}: the first version we refuse. */
    public static final int END_VERSION = 0x020000;

    static final Linker LINKER = Linker.nativeLinker();

    private record Loaded(SymbolLookup lookup, String name, String failure) {
    }

    private static final Loaded LIB = load();

    private static final MethodHandle ALLOC_MB_MGR = call("alloc_mb_mgr", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle INIT_MB_MGR_AUTO = call("init_mb_mgr_auto", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE_MB_MGR = call("free_mb_mgr", FunctionDescriptor.ofVoid(JAVA_LONG));
    private static final MethodHandle IMB_GET_MB_MGR_SIZE = call("imb_get_mb_mgr_size", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle IMB_GET_VERSION = call("imb_get_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle IMB_GET_VERSION_STR = call("imb_get_version_str", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle IMB_GET_ERRNO = call("imb_get_errno", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    private static final MethodHandle IMB_GET_STRERROR = call("imb_get_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private IpsecMbLibrary() {
    }

    /** True when the library loaded and its version is one whose layout we know. */
    public static boolean isAvailable() {
        return LIB.failure == null;
    }

    /** Why {@link #isAvailable()} is false (names the package to install), or null. */
    public static String unavailableReason() {
        return LIB.failure;
    }

    /** The library name or path that was loaded (or tried last). */
    public static String libraryName() {
        return LIB.name;
    }

    private static Loaded load() {
        String configured = System.getProperty(LIBRARY_PROPERTY);
        List<String> names = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            names.add(configured);
        } else {
            names.add(SONAME);
            names.add("libIPSec_MB.so");
        }
        SymbolLookup lookup = null;
        String loaded = names.getFirst();
        for (String n : names) {
            try {
                lookup = SymbolLookup.libraryLookup(n, Arena.global());
                loaded = n;
                break;
            } catch (IllegalArgumentException notFound) {
                // try the next name
            }
        }
        if (lookup == null) {
            return new Loaded(null, loaded, "intel-ipsec-mb is not installed: cannot load " + String.join(" or ", names)
                    + " (install the package libipsec-mb1, or libipsec-mb-dev to build against it;"
                    + " or point -D" + LIBRARY_PROPERTY + " at the library)");
        }
        try {
            int v = (int) LINKER.downcallHandle(symbol(lookup, loaded, "imb_get_version"),
                    FunctionDescriptor.of(JAVA_INT)).invokeExact();
            if (v < MIN_VERSION || v >= END_VERSION) {
                return new Loaded(null, loaded, loaded + " is intel-ipsec-mb " + versionString(v)
                        + "; this binding reads the IMB_MGR layout of 1.3 and accepts 1.3 <= version < 2.0"
                        + " (install libipsec-mb1 1.3 or a later 1.x)");
            }
        } catch (RuntimeException e) {
            return new Loaded(null, loaded, loaded + " does not look like intel-ipsec-mb: " + e.getMessage());
        } catch (Throwable t) {
            throw unexpected(t);
        }
        return new Loaded(lookup, loaded, null);
    }

    private static MemorySegment symbol(SymbolLookup lookup, String lib, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(lib + " has no symbol " + name));
    }

    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LIB.lookup == null ? null : LINKER.downcallHandle(symbol(LIB.lookup, LIB.name, name), fd);
    }

    /** {@code IMB_VERSION} number as {@code major.minor.patch}. */
    public static String versionString(int v) {
        return (v >>> 16) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    static AssertionError unexpected(Throwable t) {
        return new AssertionError("a downcall threw, which it cannot: binding bug", t);
    }

    private static void requireAvailable() {
        if (LIB.failure != null) {
            throw new UnsupportedOperationException(LIB.failure);
        }
    }

    /** {@code IMB_MGR *alloc_mb_mgr(uint64_t flags)}: 0 on allocation failure. */
    public static long alloc_mb_mgr(long flags) {
        requireAvailable();
        try {
            return (long) ALLOC_MB_MGR.invokeExact(flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code void init_mb_mgr_auto(IMB_MGR *, IMB_ARCH *arch)}; {@code archOut} may be 0. */
    public static void init_mb_mgr_auto(long mgr, long archOut) {
        requireAvailable();
        try {
            INIT_MB_MGR_AUTO.invokeExact(mgr, archOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void free_mb_mgr(long mgr) {
        requireAvailable();
        try {
            FREE_MB_MGR.invokeExact(mgr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Bytes {@code alloc_mb_mgr} allocates: the manager and its out-of-order schedulers. */
    public static long imb_get_mb_mgr_size() {
        requireAvailable();
        try {
            return (long) IMB_GET_MB_MGR_SIZE.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int imb_get_version() {
        requireAvailable();
        try {
            return (int) IMB_GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static String imb_get_version_str() {
        requireAvailable();
        try {
            return ((MemorySegment) IMB_GET_VERSION_STR.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The manager's error status; with {@code mgr} 0, the library-wide one the direct API sets. */
    public static int imb_get_errno(long mgr) {
        requireAvailable();
        try {
            return (int) IMB_GET_ERRNO.invokeExact(mgr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static String imb_get_strerror(int errnum) {
        requireAvailable();
        try {
            MemorySegment s = (MemorySegment) IMB_GET_STRERROR.invokeExact(errnum);
            return s.equals(MemorySegment.NULL) ? "error " + errnum : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}

package dev.ovpndpdk.bindings.libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the libc symbols come from, and whether these bindings can work on this machine at all.
 *
 * <p>The constants and struct layouts in this package are Linux's, checked on x86_64 (the
 * socket-option and ioctl numbers are the asm-generic ones, which aarch64 shares). Anything else
 * is refused by {@link #isAvailable()} rather than left to fail with a wrong constant.
 */
// Linking downcalls is a restricted operation; this class is where the package does it.
@SuppressWarnings("restricted")
public final class Libc {

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();

    private static final String UNAVAILABLE_REASON = probe();

    private Libc() {
    }

    /** True when the OS and architecture are ones whose constants this package encodes. */
    public static boolean isAvailable() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why {@link #isAvailable()} is false, or null when it is true. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** Throws with the reason when the bindings cannot work here; a no-op otherwise. */
    public static void requireAvailable() {
        if (UNAVAILABLE_REASON != null) {
            throw new UnsupportedOperationException(UNAVAILABLE_REASON);
        }
    }

    private static String probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return "libc bindings need Linux (this is " + os + ")";
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "libc bindings encode x86_64/aarch64 Linux constants (this is " + arch + ")";
        }
        return null;
    }

    static Optional<MemorySegment> find(String name) {
        return LOOKUP.find(name);
    }

    /** A downcall to a libc function that sets errno: the first argument is the capture state. */
    static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Errno.CAPTURE);
    }

    /** Same, for a variadic function whose first {@code fixed} arguments are the declared ones. */
    static MethodHandle errnoCallVariadic(String name, int fixed, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Errno.CAPTURE, Linker.Option.firstVariadicArg(fixed));
    }

    /**
     * A downcall without errno capture: for functions that cannot fail (getpid), and for the
     * first attempt of a fast-path call (see package-info: "errno on the fast path").
     */
    static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    /**
     * What to throw when invoking a downcall handle throws: it cannot (native code does not throw
     * Java exceptions, and the types are fixed at link time), so this is a bug in the binding.
     */
    static AssertionError unexpected(Throwable t) {
        return new AssertionError("libc downcall failed unexpectedly", t);
    }

    static MethodHandle call(MemorySegment symbol, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol, fd);
    }

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "libc symbol " + name + " not found" + (UNAVAILABLE_REASON == null ? "" : ": " + UNAVAILABLE_REASON)));
    }
}

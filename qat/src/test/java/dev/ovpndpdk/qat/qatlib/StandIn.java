package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Qatlib;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stand-in for qatlib ({@code src/test/c/qat_standin.c}), compiled with gcc once per test
 * JVM into a temporary directory and loaded as both libqat and libusdm. A stand-in: it proves
 * the engine against our reading of qatlib's headers, not against qatlib.
 */
@SuppressWarnings("restricted")
final class StandIn {
    static final int LIVE_SESSIONS = 0;
    static final int DOORBELLS = 1;
    static final int ENQUEUED = 2;
    static final int COMPLETED = 3;
    static final int INVALID = 4;
    static final int RETRIES = 5;
    static final int USER_STARTED = 6;

    private static Path library;
    private static Qatlib qatlib;
    private static MethodHandle configure;
    private static MethodHandle stat;
    private static MethodHandle lastError;

    private StandIn() {
    }

    /** The compiled stand-in; skips the calling test where gcc or libssl-dev is missing. */
    static synchronized Path library() {
        if (library == null) {
            try {
                Path dir = Files.createTempDirectory("qat-standin");
                Path so = dir.resolve("libqat_standin.so");
                Process p = new ProcessBuilder(List.of("gcc", "-O2", "-g", "-fPIC", "-shared", "-std=gnu11", "-Wall",
                        "-Wextra", "-Werror", "-fvisibility=hidden", "-Wl,-z,defs", "-o", so.toString(),
                        Path.of("src/test/c/qat_standin.c").toAbsolutePath().toString(), "-lcrypto", "-lpthread"))
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                        () -> "stand-in did not compile (gcc and libssl-dev needed): " + out);
                so.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                library = so;
            } catch (IOException | InterruptedException e) {
                assumeTrue(false, "cannot build the stand-in: " + e);
            }
        }
        return library;
    }

    /** qatlib bindings loaded from the stand-in (one object for the whole JVM, like the library's state). */
    static synchronized Qatlib qatlib() {
        if (qatlib == null) {
            String so = library().toString();
            qatlib = Qatlib.load(new Qatlib.Paths(so, so, null));
            if (!qatlib.isAvailable()) {
                throw new AssertionError(qatlib.unavailableReason());
            }
            SymbolLookup l = SymbolLookup.libraryLookup(library(), Arena.global());
            Linker linker = Linker.nativeLinker();
            configure = linker.downcallHandle(l.find("qat_standin_configure").orElseThrow(),
                    FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
            stat = linker.downcallHandle(l.find("qat_standin_stat").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
            lastError = linker.downcallHandle(l.find("qat_standin_last_error").orElseThrow(), FunctionDescriptor.of(ADDRESS));
        }
        return qatlib;
    }

    /** Sets the stand-in's device, start status, ring depth and completion order. */
    static void configure(boolean devicePresent, int startStatus, int ringDepth, boolean completeReversed) {
        qatlib();
        try {
            configure.invokeExact(devicePresent ? 1 : 0, startStatus, ringDepth, completeReversed ? 1 : 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long stat(int which) {
        qatlib();
        try {
            return (long) stat.invokeExact(which);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Why the stand-in last answered CPA_STATUS_INVALID_PARAM. */
    static String lastError() {
        qatlib();
        try {
            return ((MemorySegment) lastError.invokeExact()).reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}

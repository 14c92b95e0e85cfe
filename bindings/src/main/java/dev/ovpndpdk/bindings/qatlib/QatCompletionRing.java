package dev.ovpndpdk.bindings.qatlib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One instance's completion array, filled by our C callback ({@code ovpn_qat_completions.c}) during
 * one {@link #poll} downcall and read here afterwards (async-crypto.md §1.9): no upcall per packet.
 *
 * <p>Layout ({@code struct ovpn_qat_completions}): {@code capacity} u32 @0, {@code count} u32 @4,
 * {@code overflow} u32 @8, then entries of 16 bytes from @16: {@code pCallbackTag} u64 @+0,
 * {@code CpaStatus} @+8, {@code CpaBoolean verifyResult} @+12. Ordinary memory: only the CPU
 * touches it. Used by the instance's one thread.
 */
public final class QatCompletionRing implements AutoCloseable {

    /** {@code OVPN_QAT_COMPLETIONS_ABI} of the C library this class reads. */
    public static final int ABI = 1;

    private static final long COUNT = 4;
    private static final long OVERFLOW = 8;
    private static final long ENTRIES = 16;
    private static final long ENTRY = 16;

    private final Library lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final int capacity;

    QatCompletionRing(Library lib, int capacity) {
        this.lib = lib;
        this.capacity = capacity;
        this.ring = arena.allocate(ENTRIES + ENTRY * capacity, 64);
        ring.set(JAVA_INT, 0, capacity);
    }

    /**
     * Polls {@code instance} (quota = capacity, so nothing is lost) and leaves {@link #count()}
     * entries here. Returns what {@code icp_sal_CyPollDpInstance} returned:
     * {@link Cpa#CPA_STATUS_RETRY} when nothing had finished.
     */
    public int poll(long instance) {
        try {
            return (int) lib.poll.invokeExact(lib.pollDpInstance, instance, ring.address());
        } catch (Throwable t) {
            throw Qatlib.unexpected(t);
        }
    }

    public int capacity() {
        return capacity;
    }

    /** Entries the last {@link #poll} wrote. */
    public int count() {
        return ring.get(JAVA_INT, COUNT);
    }

    /** Callbacks that found the array full since it was made: lost completions, a bug in the caller. */
    public int overflow() {
        return ring.get(JAVA_INT, OVERFLOW);
    }

    /** Entry {@code i}'s {@code pCallbackTag}. */
    public long tag(int i) {
        return ring.get(JAVA_LONG, ENTRIES + ENTRY * i);
    }

    /** Entry {@code i}'s {@code CpaStatus}. */
    public int status(int i) {
        return ring.get(JAVA_INT, ENTRIES + ENTRY * i + 8);
    }

    /** Entry {@code i}'s {@code verifyResult}: {@code CPA_TRUE} unless a decrypt's tag did not match. */
    public boolean verified(int i) {
        return ring.get(JAVA_INT, ENTRIES + ENTRY * i + 12) != Cpa.CPA_FALSE;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** {@code libovpndpdk_qatcb.so}: the callback, the poll wrapper, and qatlib's poll function to call. */
    // Linking downcalls is restricted; the library was looked up by Qatlib.
    @SuppressWarnings("restricted")
    public static final class Library {
        private final String path;
        private final long callback;
        private final MethodHandle poll;
        private final MethodHandle stray;
        private final long pollDpInstance;

        private Library(String path, long callback, MethodHandle poll, MethodHandle stray, long pollDpInstance) {
            this.path = path;
            this.callback = callback;
            this.poll = poll;
            this.stray = stray;
            this.pollDpInstance = pollDpInstance;
        }

        static Library open(SymbolLookup lookup, String path) {
            Linker linker = Linker.nativeLinker();
            int abi;
            try {
                abi = (int) linker.downcallHandle(Qatlib.symbol(lookup, path, "ovpn_qat_completions_abi"),
                        FunctionDescriptor.of(JAVA_INT)).invokeExact();
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw Qatlib.unexpected(t);
            }
            if (abi != ABI) {
                throw new IllegalStateException(path + " has completion ABI " + abi + ", this binding reads " + ABI
                        + ": rebuild bindings/");
            }
            // Critical: the poll runs qatlib's response handling and our C callback, bounded and never blocking.
            MethodHandle poll = Qatlib.critical(lookup, path, "ovpn_qat_poll",
                    FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
            MethodHandle stray = linker.downcallHandle(Qatlib.symbol(lookup, path, "ovpn_qat_stray_completions"),
                    FunctionDescriptor.of(JAVA_LONG));
            return new Library(path, Qatlib.symbol(lookup, path, "ovpn_qat_completed").address(), poll, stray, 0);
        }

        Library bind(long pollDpInstance) {
            return new Library(path, callback, poll, stray, pollDpInstance);
        }

        public String path() {
            return path;
        }

        /** Address of {@code ovpn_qat_completed}, for {@code cpaCySymDpRegCbFunc}. */
        public long callback() {
            return callback;
        }

        /** A ring of {@code capacity} entries: at least the requests in flight on the instance. */
        public QatCompletionRing newRing(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity " + capacity);
            }
            return new QatCompletionRing(this, capacity);
        }

        /** Callbacks that ran outside {@link QatCompletionRing#poll}, process-wide: should stay 0. */
        public long strayCompletions() {
            try {
                return (long) stray.invokeExact();
            } catch (Throwable t) {
                throw Qatlib.unexpected(t);
            }
        }
    }
}

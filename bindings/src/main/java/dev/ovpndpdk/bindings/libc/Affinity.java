package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/**
 * CPU affinity of the calling thread: one worker per core means each worker pins itself at
 * start. {@code sched_setaffinity(0, ...)} applies to the calling kernel thread, which for a
 * platform Java thread is that thread alone (not the process); threads it starts inherit it.
 */
public final class Affinity {

    /** sizeof(cpu_set_t): glibc's 1024 bits; bigger machines need a bigger mask, which we grow to. */
    static final int CPU_SET_BYTES = 128;

    private static final MethodHandle SETAFFINITY = Libc.errnoCall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETAFFINITY = Libc.errnoCall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle GETCPU = Libc.errnoCall("sched_getcpu", FunctionDescriptor.of(JAVA_INT));

    private Affinity() {
    }

    /** Pins the calling thread to {@code cpus}. */
    public static void setCurrentThread(BitSet cpus) throws ErrnoException {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("empty CPU set");
        }
        int bytes = Math.max(CPU_SET_BYTES, (cpus.length() + 63) / 64 * 8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(bytes, 8);
            long[] words = cpus.toLongArray(); // bit i of word w is CPU 64w+i, as in cpu_set_t
            MemorySegment.copy(words, 0, mask, JAVA_LONG, 0, words.length);
            MemorySegment st = Errno.state();
            int r;
            try {
                r = (int) SETAFFINITY.invokeExact(st, 0, (long) bytes, mask);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r < 0) {
                throw Errno.exception(st, "sched_setaffinity(" + cpus + ")");
            }
        }
    }

    /** Pins the calling thread to the listed CPUs. */
    public static void pinCurrentThread(int... cpus) throws ErrnoException {
        BitSet set = new BitSet();
        for (int c : cpus) {
            set.set(c);
        }
        setCurrentThread(set);
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet currentThread() throws ErrnoException {
        // The kernel refuses (EINVAL) a mask smaller than its CPU count: grow until it fits.
        for (int bytes = CPU_SET_BYTES; bytes <= 1 << 20; bytes *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mask = arena.allocate(bytes, 8);
                MemorySegment st = Errno.state();
                int r;
                try {
                    r = (int) GETAFFINITY.invokeExact(st, 0, (long) bytes, mask);
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
                if (r >= 0) {
                    // glibc zeroes the part of the mask beyond what the kernel wrote.
                    return BitSet.valueOf(mask.toArray(JAVA_LONG));
                }
                if (Errno.get(st) != Errno.EINVAL) {
                    throw Errno.exception(st, "sched_getaffinity");
                }
            }
        }
        throw new ErrnoException("sched_getaffinity", Errno.EINVAL);
    }

    /** The CPU the calling thread is running on right now. */
    public static int currentCpu() throws ErrnoException {
        MemorySegment st = Errno.state();
        int r;
        try {
            r = (int) GETCPU.invokeExact(st);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(st, "sched_getcpu");
        }
        return r;
    }
}

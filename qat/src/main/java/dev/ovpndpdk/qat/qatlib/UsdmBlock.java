package dev.ovpndpdk.qat.qatlib;

import dev.ovpndpdk.bindings.qatlib.Qatlib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One allocation of USDM memory ({@code qaeMemAllocNUMA}): pinned, IOVA-contiguous, what the
 * device may read and write (async-crypto.md §1.7). Op data, IV and AAD slots, bounce buffers and
 * session contexts all live in such blocks.
 */
final class UsdmBlock {
    /** {@code QAE_MAX_ALLOC_SIZE}: USDM refuses larger blocks. */
    static final long MAX_SIZE = 64L << 20;

    private final Qatlib lib;
    private final MemorySegment memory;
    private final long phys;
    private boolean freed;

    private UsdmBlock(Qatlib lib, MemorySegment memory, long phys) {
        this.lib = lib;
        this.memory = memory;
        this.phys = phys;
    }

    /**
     * Allocates {@code size} zeroed bytes on {@code node}, aligned to {@code align}.
     *
     * @throws IllegalStateException when USDM has no memory left (its limits: docs/qatlib.md)
     */
    static UsdmBlock allocate(Qatlib lib, long size, int node, long align, String what) {
        if (size > MAX_SIZE) {
            throw new IllegalStateException(what + " needs " + size + " bytes of USDM memory in one block, more than"
                    + " qatlib's 64 MiB limit: use a smaller queue depth or packet size");
        }
        long p = lib.qaeMemAllocNUMA(size, node, align);
        if (p == 0) {
            throw new IllegalStateException("qaeMemAllocNUMA(" + size + ", node " + node + ") failed for " + what
                    + ": USDM memory exhausted (see docs/qatlib.md, memory)");
        }
        MemorySegment m = MemorySegment.ofAddress(p).reinterpret(size);
        m.fill((byte) 0);
        long phys = lib.qaeVirtToPhysNUMA(p);
        if (phys == 0) {
            free(lib, p);
            throw new IllegalStateException("qaeVirtToPhysNUMA gave no IOVA for a block qaeMemAllocNUMA just returned");
        }
        return new UsdmBlock(lib, m, phys);
    }

    MemorySegment memory() {
        return memory;
    }

    long address() {
        return memory.address();
    }

    /**
     * The IOVA of byte {@code offset}, asked of USDM rather than computed from the block's start,
     * so nothing here assumes how USDM maps its pages.
     */
    long phys(long offset) {
        long p = lib.qaeVirtToPhysNUMA(memory.address() + offset);
        if (p == 0) {
            throw new IllegalStateException("qaeVirtToPhysNUMA gave no IOVA inside a USDM block");
        }
        return p;
    }

    /** The IOVA of the first byte. */
    long phys() {
        return phys;
    }

    /** Zeroes (keys may have been in it) and frees. Idempotent. */
    void free() {
        if (!freed) {
            freed = true;
            memory.fill((byte) 0);
            free(lib, memory.address());
        }
    }

    private static void free(Qatlib lib, long p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ref = a.allocate(JAVA_LONG);
            ref.set(JAVA_LONG, 0, p);
            lib.qaeMemFreeNUMA(ref.address());
        }
    }
}

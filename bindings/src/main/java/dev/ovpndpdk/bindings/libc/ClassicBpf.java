package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Classic BPF ({@code linux/filter.h}): {@code struct sock_filter}/{@code sock_fprog}, the opcode
 * bits, attaching a program to a SO_REUSEPORT group, and a small interpreter of the subset we
 * emit, so a program can be checked in a unit test against the same semantics the kernel applies
 * (including "a load past the end of the packet returns 0").
 */
public final class ClassicBpf {

    // instruction classes
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    // load sizes
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;
    // load modes
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_LEN = 0x80;
    // ALU operations
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_MOD = 0x90;
    // jumps
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;
    // operand source
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    /** For BPF_RET: return the accumulator. */
    public static final int BPF_A = 0x10;

    /** The kernel's limit on classic programs (BPF_MAXINSNS). */
    public static final int BPF_MAXINSNS = 4096;

    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("code"),
            JAVA_BYTE.withName("jt"),
            JAVA_BYTE.withName("jf"),
            JAVA_INT.withName("k")).withName("sock_filter");

    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6),
            JAVA_LONG.withName("filter")).withName("sock_fprog");

    static final long CODE = SOCK_FILTER.byteOffset(groupElement("code"));
    static final long JT = SOCK_FILTER.byteOffset(groupElement("jt"));
    static final long JF = SOCK_FILTER.byteOffset(groupElement("jf"));
    static final long K = SOCK_FILTER.byteOffset(groupElement("k"));
    static final long FPROG_LEN = SOCK_FPROG.byteOffset(groupElement("len"));
    static final long FPROG_FILTER = SOCK_FPROG.byteOffset(groupElement("filter"));

    /** One instruction; jump offsets count instructions after the next one, as in the kernel. */
    public record Insn(int code, int jt, int jf, int k) {
        public Insn {
            if ((code & ~0xffff) != 0 || (jt & ~0xff) != 0 || (jf & ~0xff) != 0) {
                throw new IllegalArgumentException("field out of range: " + this);
            }
        }
    }

    private ClassicBpf() {
    }

    public static Insn stmt(int code, int k) {
        return new Insn(code, 0, 0, k);
    }

    public static Insn jump(int code, int k, int jt, int jf) {
        return new Insn(code, jt, jf, k);
    }

    /** Encodes {@code program} as a {@code sock_filter[]} in {@code arena}. */
    public static MemorySegment encode(Arena arena, List<Insn> program) {
        MemorySegment seg = arena.allocate(SOCK_FILTER, program.size());
        for (int i = 0; i < program.size(); i++) {
            Insn in = program.get(i);
            long at = i * SOCK_FILTER.byteSize();
            seg.set(JAVA_SHORT, at + CODE, (short) in.code());
            seg.set(JAVA_BYTE, at + JT, (byte) in.jt());
            seg.set(JAVA_BYTE, at + JF, (byte) in.jf());
            seg.set(JAVA_INT, at + K, in.k());
        }
        return seg;
    }

    /**
     * Attaches {@code program} to the SO_REUSEPORT group of {@code fd} (SO_ATTACH_REUSEPORT_CBPF):
     * from then on the group's sockets receive by the index the program returns, in the order
     * they joined; an index out of range falls back to the kernel's hash.
     */
    public static void attachReuseport(int fd, List<Insn> program) throws ErrnoException {
        if (program.isEmpty() || program.size() > BPF_MAXINSNS) {
            throw new IllegalArgumentException("program length " + program.size());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = encode(arena, program);
            MemorySegment fprog = arena.allocate(SOCK_FPROG);
            fprog.set(JAVA_SHORT, FPROG_LEN, (short) program.size());
            fprog.set(JAVA_LONG, FPROG_FILTER, filter.address());
            SockOpt.set(fd, SockOpt.SOL_SOCKET, SockOpt.SO_ATTACH_REUSEPORT_CBPF, fprog,
                    "SO_ATTACH_REUSEPORT_CBPF");
        }
    }

    /** Removes the group's program (SO_DETACH_REUSEPORT_BPF): back to hashing. */
    public static void detachReuseport(int fd) throws ErrnoException {
        SockOpt.setInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_DETACH_REUSEPORT_BPF, 0,
                "SO_DETACH_REUSEPORT_BPF");
    }

    /**
     * Runs {@code program} on {@code packet} the way the kernel's classic interpreter does for the
     * instructions above (loads, ALU with a constant, conditional jumps, returns); anything else
     * is refused. A load past the end ends the program with 0.
     */
    public static int run(List<Insn> program, byte[] packet) {
        int a = 0;
        int pc = 0;
        while (pc < program.size()) {
            Insn in = program.get(pc++);
            int k = in.k();
            switch (in.code()) {
                case BPF_LD | BPF_W | BPF_LEN -> a = packet.length;
                case BPF_LD | BPF_IMM -> a = k;
                case BPF_LD | BPF_B | BPF_ABS -> {
                    if (k < 0 || k + 1 > packet.length) {
                        return 0;
                    }
                    a = packet[k] & 0xff;
                }
                case BPF_LD | BPF_H | BPF_ABS -> {
                    if (k < 0 || k + 2 > packet.length) {
                        return 0;
                    }
                    a = (packet[k] & 0xff) << 8 | (packet[k + 1] & 0xff);
                }
                case BPF_LD | BPF_W | BPF_ABS -> {
                    if (k < 0 || k + 4 > packet.length) {
                        return 0;
                    }
                    a = (packet[k] & 0xff) << 24 | (packet[k + 1] & 0xff) << 16
                            | (packet[k + 2] & 0xff) << 8 | (packet[k + 3] & 0xff);
                }
                case BPF_ALU | BPF_ADD | BPF_K -> a += k;
                case BPF_ALU | BPF_SUB | BPF_K -> a -= k;
                case BPF_ALU | BPF_MUL | BPF_K -> a *= k;
                case BPF_ALU | BPF_DIV | BPF_K -> a = Integer.divideUnsigned(a, k);
                case BPF_ALU | BPF_MOD | BPF_K -> a = Integer.remainderUnsigned(a, k);
                case BPF_ALU | BPF_AND | BPF_K -> a &= k;
                case BPF_ALU | BPF_OR | BPF_K -> a |= k;
                case BPF_ALU | BPF_LSH | BPF_K -> a <<= k;
                case BPF_ALU | BPF_RSH | BPF_K -> a >>>= k;
                case BPF_JMP | BPF_JA -> pc += k;
                case BPF_JMP | BPF_JEQ | BPF_K -> pc += a == k ? in.jt() : in.jf();
                case BPF_JMP | BPF_JGT | BPF_K -> pc += Integer.compareUnsigned(a, k) > 0 ? in.jt() : in.jf();
                case BPF_JMP | BPF_JGE | BPF_K -> pc += Integer.compareUnsigned(a, k) >= 0 ? in.jt() : in.jf();
                case BPF_JMP | BPF_JSET | BPF_K -> pc += (a & k) != 0 ? in.jt() : in.jf();
                case BPF_RET | BPF_K -> {
                    return k;
                }
                case BPF_RET | BPF_A -> {
                    return a;
                }
                default -> throw new IllegalArgumentException("instruction not interpreted: " + in);
            }
        }
        throw new IllegalArgumentException("program falls off its end");
    }
}

package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which queue of a multiqueue TUN device the kernel puts an outgoing packet on, chosen by
 * its destination address ({@code TUNSETSTEERINGEBPF}), so that every packet to one tunnel
 * address is read — and encrypted — by one worker.
 *
 * <p>Why: the kernel's own choice ("automq") follows the queue that last wrote a packet of
 * the same flow, and a flow can move between workers (the DPDK af_packet port rolls frames
 * over to another queue when one falls behind; a flow the host starts has no history). Two
 * workers encrypting for one peer interleave its packet-ids, and a worker delayed by a few
 * milliseconds sends ids the peer has passed by more than its replay window — stock OpenVPN's
 * is 64 packets — which it drops as "bad packet ID". One destination, one queue: a peer's
 * packets to its VPN address keep their order. (Destinations behind a peer's iroutes may
 * still map to different queues.)
 *
 * <p>The program is eight eBPF instructions of a socket filter: the IP version, then the last
 * 32 bits of the destination address (IPv4 at offset 16, IPv6 at 36), returned; the kernel
 * takes it modulo the number of queues. Loading it needs CAP_BPF (or CAP_SYS_ADMIN).
 */
public final class TunSteering {
    /** {@code _IOR('T', 224, int)}. */
    public static final long TUNSETSTEERINGEBPF = 0x800454e0L;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;
    /** bpf(2)'s number: x86_64 321, aarch64 280. */
    private static final long SYS_BPF = "aarch64".equals(System.getProperty("os.arch")) ? 280 : 321;
    private static final int ATTR_BYTES = 128;
    private static final int LOG_BYTES = 4096;

    // syscall(2) takes its arguments as longs (va_arg(ap, long)): no int may leave the upper half
    // of a register to chance.
    private static final MethodHandle SYSCALL = Libc.errnoCallVariadic("syscall", 1,
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG));

    /** struct bpf_insn: code, dst_reg | src_reg << 4, off, imm (little-endian on these hosts). */
    private static final long[][] PROGRAM = {
            {0xbf, 6 | 1 << 4, 0, 0},   // r6 = r1 (the skb, which LD_ABS reads through)
            {0x30, 0, 0, 0},            // r0 = skb[0] (u8): version and IHL
            {0x77, 0, 0, 4},            // r0 >>= 4: the version
            {0x15, 0, 2, 6},            // if r0 == 6 goto v6
            {0x20, 0, 0, 16},           // r0 = skb[16] (u32): IPv4 destination
            {0x95, 0, 0, 0},            // return r0
            {0x20, 0, 0, 36},           // v6: r0 = skb[36] (u32): the last word of the IPv6 destination
            {0x95, 0, 0, 0},            // return r0
    };

    private TunSteering() {
    }

    /** Sets the program on the device of {@code queueFd}, a queue of it we own. */
    public static void attach(int queueFd) throws IOException {
        int prog = load();
        try {
            setProgram(queueFd, prog);
        } finally {
            Fd.closeQuietly(prog); // the device holds its own reference
        }
    }

    /**
     * Sets the program on TUN device {@code name}, whose queues belong to someone else (DPDK's
     * net_tun): through a queue attached for the moment with the device's own flags (read from
     * sysfs: TUNSETIFF on an existing device also sets them), then closed, which detaches it.
     * The program stays with the device.
     */
    public static void attachTo(String name) throws IOException {
        int flags = Integer.decode(Files.readString(Path.of("/sys/class/net", name, "tun_flags")).trim());
        if ((flags & TunDevice.IFF_MULTI_QUEUE) == 0) {
            throw new IOException(name + " has one queue: nothing to steer");
        }
        int prog = load();
        int fd = -1;
        try {
            fd = Fd.open(TunDevice.CLONE_DEVICE, Fd.O_RDWR | Fd.O_NONBLOCK | Fd.O_CLOEXEC);
            TunDevice.attach(fd, name, flags & ~0x0800 /* IFF_PERSIST is not a TUNSETIFF flag */);
            setProgram(fd, prog);
        } finally {
            Fd.closeQuietly(fd);
            Fd.closeQuietly(prog);
        }
    }

    private static void setProgram(int queueFd, int prog) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            Fd.ioctl(queueFd, TUNSETSTEERINGEBPF, arena.allocateFrom(JAVA_INT, prog).address(), "TUNSETSTEERINGEBPF");
        }
    }

    /** BPF_PROG_LOAD of the program; its fd. The verifier's log is in the exception if it refuses. */
    static int load() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8L * PROGRAM.length, 8);
            for (int i = 0; i < PROGRAM.length; i++) {
                long[] in = PROGRAM[i];
                insns.set(JAVA_BYTE, 8L * i, (byte) in[0]);
                insns.set(JAVA_BYTE, 8L * i + 1, (byte) in[1]);
                insns.set(JAVA_SHORT, 8L * i + 2, (short) in[2]);
                insns.set(JAVA_INT, 8L * i + 4, (int) in[3]);
            }
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            MemorySegment log = arena.allocate(LOG_BYTES);
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, BPF_PROG_TYPE_SOCKET_FILTER);
            attr.set(JAVA_INT, 4, PROGRAM.length);
            attr.set(JAVA_LONG, 8, insns.address());
            attr.set(JAVA_LONG, 16, license.address());
            attr.set(JAVA_INT, 24, 1);          // log_level: the verifier says why, if it refuses
            attr.set(JAVA_INT, 28, LOG_BYTES);
            attr.set(JAVA_LONG, 32, log.address());
            MemorySegment st = Errno.state();
            long fd;
            try {
                fd = (long) SYSCALL.invokeExact(st, SYS_BPF, (long) BPF_PROG_LOAD, attr, (long) ATTR_BYTES);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (fd < 0) {
                ErrnoException e = Errno.exception(st, "bpf(BPF_PROG_LOAD) of the TUN steering program");
                String why = log.getString(0, StandardCharsets.US_ASCII).strip();
                throw why.isEmpty() ? e : new IOException(e.getMessage() + ": " + why, e);
            }
            return (int) fd;
        }
    }
}

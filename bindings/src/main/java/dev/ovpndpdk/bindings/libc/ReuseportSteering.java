package dev.ovpndpdk.bindings.libc;

import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_A;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_ABS;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_ADD;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_ALU;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_AND;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_B;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_JEQ;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_JGE;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_JMP;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_K;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_LD;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_LEN;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_MOD;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_RET;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_RSH;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.BPF_W;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.jump;
import static dev.ovpndpdk.bindings.libc.ClassicBpf.stmt;

import java.io.IOException;
import java.util.List;

/**
 * The socket backend's SO_REUSEPORT steering program (ARCHITECTURE, "Port backends → socket"):
 * the OpenVPN process's UDP socket and N worker sockets share one port, and the program sends
 * P_DATA_V2 to a worker by {@code peer-id mod N} and everything else — control opcodes, short or
 * junk datagrams — to the OpenVPN process. {@link #program(int, int, int)} takes any layout; the
 * daemon binds first (workers 0..N-1, OpenVPN N: {@code program(0, N, N)}), which survives an
 * OpenVPN restart. The one-argument forms below are the other layout, OpenVPN bound first
 * (index 0, workers 1..N), which this binding's tests use.
 *
 * <p>The program sees the UDP payload at offset 0 (the kernel pulls the UDP header before running
 * it). Its first byte is {@code opcode << 3 | key-id}; bytes 1..3 are the 24-bit peer-id.
 *
 * <p>The kernel keeps group members in join order, but when a member closes the last one takes
 * its index. A worker socket must therefore never be closed alone while the group serves
 * traffic: rebuild the whole group instead.
 */
public final class ReuseportSteering {

    /** OpenVPN opcode P_DATA_V2 (opcode field = first byte >> 3). */
    public static final int P_DATA_V2 = 9;
    /** Header bytes the program needs: opcode/key-id and the peer-id. */
    public static final int MIN_PAYLOAD = 4;

    private ReuseportSteering() {
    }

    /** The program for {@code workerSockets} workers (1..2^24). */
    public static List<ClassicBpf.Insn> program(int workerSockets) {
        return program(1, workerSockets, 0);
    }

    /**
     * The general layout: P_DATA_V2 goes to socket {@code firstWorker + peer-id % workerSockets},
     * everything else (and payloads shorter than 4 bytes) to socket {@code controlIndex}. Socket
     * indices are bind order within the group.
     */
    public static List<ClassicBpf.Insn> program(int firstWorker, int workerSockets, int controlIndex) {
        if (workerSockets < 1 || workerSockets > 0xFFFFFF || firstWorker < 0 || controlIndex < 0) {
            throw new IllegalArgumentException("worker sockets: " + firstWorker + "+" + workerSockets + ", control " + controlIndex);
        }
        return List.of(
                /* 0 */ stmt(BPF_LD | BPF_W | BPF_LEN, 0),
                /* 1 */ jump(BPF_JMP | BPF_JGE | BPF_K, MIN_PAYLOAD, 0, 8),     // short → 10
                /* 2 */ stmt(BPF_LD | BPF_B | BPF_ABS, 0),
                /* 3 */ stmt(BPF_ALU | BPF_RSH | BPF_K, 3),
                /* 4 */ jump(BPF_JMP | BPF_JEQ | BPF_K, P_DATA_V2, 0, 5),      // not data → 10
                /* 5 */ stmt(BPF_LD | BPF_W | BPF_ABS, 0),                     // network order
                /* 6 */ stmt(BPF_ALU | BPF_AND | BPF_K, 0x00FFFFFF),           // peer-id
                /* 7 */ stmt(BPF_ALU | BPF_MOD | BPF_K, workerSockets),
                /* 8 */ stmt(BPF_ALU | BPF_ADD | BPF_K, firstWorker),
                /* 9 */ stmt(BPF_RET | BPF_A, 0),
                /* 10 */ stmt(BPF_RET | BPF_K, controlIndex));
    }

    /** The group index a payload should reach: what {@link #program} computes, in plain Java. */
    public static int expectedIndex(byte[] payload, int workerSockets) {
        if (payload.length < MIN_PAYLOAD || (payload[0] & 0xff) >>> 3 != P_DATA_V2) {
            return 0;
        }
        int peerId = (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | (payload[3] & 0xff);
        return peerId % workerSockets + 1;
    }

    /**
     * Attaches the program to the group {@code fd} belongs to. Do this on the OpenVPN process's
     * socket before binding the workers: for a bound socket the kernel refuses (EINVAL) when it
     * is in no group, which is exactly the case of SO_REUSEPORT set after bind — the flag reads
     * as set, but the socket never joined a group and would stop receiving once workers bind.
     *
     * @throws IOException naming that cause when the kernel says EINVAL
     */
    public static void attach(int fd, int workerSockets) throws IOException {
        attach(fd, program(workerSockets));
    }

    /** Attaches {@code program} to the group {@code fd} belongs to; a clear message if it is in none. */
    public static void attach(int fd, List<ClassicBpf.Insn> program) throws IOException {
        try {
            ClassicBpf.attachReuseport(fd, program);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL) {
                boolean flag = SockOpt.reusePortEnabled(fd);
                throw new IOException("socket fd " + fd + " is in no SO_REUSEPORT group: "
                        + (flag ? "SO_REUSEPORT was set after bind; it must be set before bind"
                                : "SO_REUSEPORT is not set; set it before bind")
                        + " (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }
}

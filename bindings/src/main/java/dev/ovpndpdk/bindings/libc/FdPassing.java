package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code sendmsg}/{@code recvmsg} with one SCM_RIGHTS file descriptor next to the bytes of a
 * message: how the OpenVPN process hands its UDP socket to the daemon with NEW_PEER. The
 * receiver gets a new fd (close-on-exec) referring to the same open socket.
 */
public final class FdPassing {

    private static final MethodHandle SENDMSG = Libc.errnoCall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Libc.errnoCall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** Control space for exactly one fd; a sender passing more makes the kernel truncate (MSG_CTRUNC). */
    private static final long CONTROL = MsgHdr.CMSG_SPACE(Integer.BYTES);

    /**
     * A received message: {@code length} bytes were copied into the caller's buffer (0: the peer
     * closed the connection; -1: nothing pending on a non-blocking socket), and {@code fd} is the
     * descriptor that came with it, or -1. The receiver owns {@code fd} and must close it.
     */
    public record Received(int length, int fd) {
    }

    private FdPassing() {
    }

    /**
     * Sends {@code data} (at least one byte: a stream socket carries ancillary data only with
     * payload) and, unless {@code fd} is negative, the descriptor {@code fd}. Returns the bytes sent.
     */
    public static int send(int socket, byte[] data, int fd) throws ErrnoException {
        if (data.length == 0) {
            throw new IllegalArgumentException("at least one byte must go with a descriptor");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(JAVA_BYTE, data);
            MemorySegment ctl = fd >= 0 ? arena.allocate(CONTROL, 8) : MemorySegment.NULL;
            MemorySegment msg = message(arena, buf, ctl);
            if (fd >= 0) {
                long at = MsgHdr.putCmsg(ctl, 0, SockOpt.SOL_SOCKET, MsgHdr.SCM_RIGHTS, Integer.BYTES);
                ctl.set(JAVA_INT, at, fd);
            }
            MemorySegment st = Errno.state();
            long n;
            try {
                n = (long) SENDMSG.invokeExact(st, socket, msg, Sockets.MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (n < 0) {
                throw Errno.exception(st, "sendmsg(fd " + socket + (fd >= 0 ? ", SCM_RIGHTS " + fd : "") + ")");
            }
            return (int) n;
        }
    }

    /**
     * Receives one message into {@code buffer} and the descriptor that came with it, if any.
     *
     * @throws IOException when the message or its control data did not fit (any descriptor that
     *     did arrive is closed first, so none leaks)
     */
    public static Received receive(int socket, byte[] buffer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, buffer.length));
            MemorySegment ctl = arena.allocate(CONTROL, 8);
            MemorySegment msg = message(arena, buf.asSlice(0, buffer.length), ctl);
            MemorySegment st = Errno.state();
            long n;
            try {
                n = (long) RECVMSG.invokeExact(st, socket, msg, Sockets.MSG_CMSG_CLOEXEC);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (n < 0) {
                if (Errno.isTransient(Errno.get(st))) {
                    return new Received(-1, -1);
                }
                throw Errno.exception(st, "recvmsg(fd " + socket + ")");
            }
            long ctlLen = msg.get(JAVA_LONG, MsgHdr.MSG_CONTROLLEN);
            long data = MsgHdr.findCmsg(ctl, 0, ctlLen, SockOpt.SOL_SOCKET, MsgHdr.SCM_RIGHTS);
            int fd = data >= 0 && MsgHdr.cmsgDataLength(ctl, data) >= Integer.BYTES ? ctl.get(JAVA_INT, data) : -1;
            int flags = msg.get(JAVA_INT, MsgHdr.MSG_FLAGS);
            if ((flags & (Sockets.MSG_CTRUNC | Sockets.MSG_TRUNC)) != 0) {
                Fd.closeQuietly(fd);
                throw new IOException("recvmsg(fd " + socket + "): message truncated ("
                        + ((flags & Sockets.MSG_CTRUNC) != 0 ? "more than one descriptor" : "more than "
                        + buffer.length + " bytes") + ")");
            }
            MemorySegment.copy(buf, JAVA_BYTE, 0, buffer, 0, (int) n);
            return new Received((int) n, fd);
        }
    }

    /** A msghdr with one iovec over {@code buf} and the control buffer {@code ctl} (NULL: none). */
    private static MemorySegment message(Arena arena, MemorySegment buf, MemorySegment ctl) {
        MemorySegment iov = arena.allocate(MsgHdr.IOVEC);
        iov.set(JAVA_LONG, MsgHdr.IOV_BASE, buf.address());
        iov.set(JAVA_LONG, MsgHdr.IOV_LEN, buf.byteSize());
        MemorySegment msg = arena.allocate(MsgHdr.MSGHDR);
        msg.set(JAVA_LONG, MsgHdr.MSG_IOV, iov.address());
        msg.set(JAVA_LONG, MsgHdr.MSG_IOVLEN, 1L);
        msg.set(JAVA_LONG, MsgHdr.MSG_CONTROL, ctl.address());
        msg.set(JAVA_LONG, MsgHdr.MSG_CONTROLLEN, ctl.byteSize());
        return msg;
    }
}

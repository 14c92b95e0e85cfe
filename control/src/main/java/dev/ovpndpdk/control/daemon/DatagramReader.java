package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.FdPassing;
import dev.ovpndpdk.bindings.libc.ProcessIds;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.MalformedMessageException;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Takes the next datagram off a client's connection and says what it is: a request to
 * dispatch (with the descriptor that came along, if any), or an answer already decided by the
 * transport rules of docs/control-protocol.md — EPERM for a client that may not send
 * requests, E2BIG for more than 64 KiB, EINVAL for what does not decode.
 *
 * <p>Each datagram is first peeked at: 16 bytes, and MSG_TRUNC makes the kernel tell its real
 * length. An oversized one is then discarded unread; a NEW_PEER or ATTACH is received with room for one
 * SCM_RIGHTS descriptor; every other datagram goes into a native buffer without room for
 * descriptors — the kernel closes any that came with it — and that buffer is zeroed once
 * decoded, since NEW_KEY carries key material. Control thread only.
 */
final class DatagramReader implements AutoCloseable {
    private static final int MSG_PEEK = 0x2;
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** What the next datagram turned out to be. */
    sealed interface Incoming {
    }

    /** Nothing waiting. */
    record Nothing() implements Incoming {
    }

    /** The client closed the connection. */
    record HangUp() implements Incoming {
    }

    /** A well-formed message for {@link Handlers}; {@code fd} must be closed if not taken. */
    record Request(Message message, PassedFd fd) implements Incoming {
    }

    /** Answered by the transport rules; {@code thenClose} after EPERM. */
    record Answer(Message reply, boolean thenClose) implements Incoming {
    }

    private final MessageCodec codec;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(MessageCodec.MAX_MESSAGE_BYTES);
    /** NEW_PEER's and ATTACH's datagram: FdPassing fills a heap array; it holds no secrets. */
    private final byte[] withDescriptor = new byte[MessageCodec.MAX_MESSAGE_BYTES];

    DatagramReader(MessageCodec codec) {
        this.codec = codec;
    }

    /**
     * @param hangUp poll said POLLHUP: a zero-length read then means the client is gone, not
     *               that it sent an empty datagram
     */
    Incoming read(Connection c, boolean hangUp) throws IOException {
        int length = Sockets.recvFrom(c.fd, buffer.address(), MessageCodec.HEADER_BYTES,
                MSG_PEEK | Sockets.MSG_TRUNC | Sockets.MSG_DONTWAIT, 0, 0);
        if (length < 0) {
            return new Nothing();
        }
        if (length == 0 && hangUp) {
            return new HangUp();
        }
        // The header's code and sequence, if readable, so that even a refusal echoes them.
        boolean header = length >= MessageCodec.HEADER_BYTES && buffer.get(BE_INT, 0) == MessageCodec.MAGIC;
        int code = header ? buffer.get(BE_SHORT, 6) & 0xFFFF : 0;
        long sequence = header ? buffer.get(BE_INT, 8) & 0xFFFF_FFFFL : 0;
        if (!c.allowed) {
            discard(c);
            return new Answer(Message.errorReply(code, sequence, Errno.EPERM, "uid " + c.credentials.uid()
                    + " may not control this daemon (root and uid " + ProcessIds.euid() + " only)"), true);
        }
        if (length > MessageCodec.MAX_MESSAGE_BYTES) {
            discard(c);
            return new Answer(Message.errorReply(code, sequence, Errno.E2BIG, "message of " + length
                    + " bytes exceeds the " + MessageCodec.MAX_MESSAGE_BYTES + "-byte limit"), false);
        }
        boolean takesSocket = header && (code == Command.NEW_PEER.code() || code == Command.ATTACH.code())
                && (buffer.get(ValueLayout.JAVA_BYTE, 5) & MessageCodec.KIND_MASK) == Kind.REQUEST.code();
        return takesSocket ? readWithDescriptor(c, code, sequence) : readPlain(c);
    }

    private Incoming readPlain(Connection c) throws IOException {
        int n = Sockets.recvFrom(c.fd, buffer.address(), MessageCodec.MAX_MESSAGE_BYTES, Sockets.MSG_DONTWAIT, 0, 0);
        if (n < 0) {
            return new Nothing();
        }
        MemorySegment datagram = buffer.asSlice(0, n);
        try {
            return new Request(codec.decode(datagram.asByteBuffer()), PassedFd.NONE);
        } catch (MalformedMessageException e) {
            return new Answer(Message.errorReplyTo(e), false);
        } finally {
            datagram.fill((byte) 0);
        }
    }

    private Incoming readWithDescriptor(Connection c, int code, long sequence) throws IOException {
        FdPassing.Received r;
        try {
            r = FdPassing.receive(c.fd, withDescriptor);
        } catch (ErrnoException e) {
            throw e;
        } catch (IOException e) {
            // The length was checked, so this is control truncation: several descriptors. The
            // kernel closed those that did not fit, FdPassing the one that did.
            return new Answer(Message.errorReply(code, sequence, Errno.EINVAL,
                    "at most one descriptor may be passed with a request"), false);
        }
        if (r.length() < 0) {
            return new Nothing();
        }
        PassedFd fd = new PassedFd(r.fd());
        try {
            return new Request(codec.decode(withDescriptor, 0, r.length()), fd);
        } catch (MalformedMessageException e) {
            fd.close();
            return new Answer(Message.errorReplyTo(e), false);
        }
    }

    /** Consumes the next datagram unread; the kernel closes descriptors that came with it. */
    private void discard(Connection c) throws ErrnoException {
        Sockets.recvFrom(c.fd, buffer.address(), 1, Sockets.MSG_DONTWAIT, 0, 0);
    }

    @Override
    public void close() {
        arena.close();
    }
}

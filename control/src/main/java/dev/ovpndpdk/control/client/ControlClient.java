package dev.ovpndpdk.control.client;

import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.FdPassing;
import dev.ovpndpdk.bindings.libc.Poll;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.bindings.libc.UnixSockets;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldException;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.MalformedMessageException;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.ReplyAssembler;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;

/**
 * A connection to a daemon's control socket (docs/control-protocol.md): sends a request,
 * optionally with a file descriptor (SCM_RIGHTS), reads reply parts until the last, and
 * returns the whole reply — or throws {@link RequestRefusedException} with the daemon's errno
 * and message. After {@link Command#SUBSCRIBE} the same connection also carries
 * notifications; those that arrive while a reply is awaited are kept for
 * {@link #nextNotification}.
 *
 * <p>One request at a time, blocking, from one thread at a time: what the command line and
 * tests need. Request bytes pass through a native buffer that is zeroed after each send,
 * because NEW_KEY carries key material.
 */
public final class ControlClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Path path;
    private final int fd;
    private final MessageCodec codec = new MessageCodec();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendBuffer = arena.allocate(MessageCodec.MAX_MESSAGE_BYTES);
    private final byte[] receiveBuffer = new byte[MessageCodec.MAX_MESSAGE_BYTES];
    private final ArrayDeque<Message> notifications = new ArrayDeque<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private long sequence;
    private boolean closed;

    private ControlClient(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Connects to the daemon's socket at {@code path}. */
    public static ControlClient connect(Path path) throws IOException {
        int fd = UnixSockets.socket(Sockets.SOCK_SEQPACKET);
        try {
            UnixSockets.connect(fd, path);
        } catch (ErrnoException e) {
            Fd.closeQuietly(fd);
            throw new IOException(switch (e.errno()) {
                case Errno.ENOENT -> "no daemon at " + path + " (no such socket)";
                case Errno.ECONNREFUSED -> "no daemon listening on " + path + " (stale socket file)";
                case Errno.EACCES, Errno.EPERM -> path + ": permission denied (the control socket is for root"
                        + " and the daemon's user)";
                default -> e.getMessage();
            }, e);
        } catch (RuntimeException e) {
            Fd.closeQuietly(fd);
            throw e;
        }
        return new ControlClient(path, fd);
    }

    public Path path() {
        return path;
    }

    /** How long {@link #call} waits for each reply part (default 10 s). */
    public ControlClient timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** Sends {@code command} with {@code fields} and returns the successful reply. */
    public Message call(Command command, Fields fields) throws IOException {
        return call(command, fields, -1);
    }

    /**
     * Same, passing descriptor {@code passFd} with the request (NEW_PEER's {@code socket} = 0);
     * -1 passes none. The descriptor stays open here: the daemon receives a duplicate.
     */
    public Message call(Command command, Fields fields, int passFd) throws IOException {
        long seq = nextSequence();
        Message request = Message.request(command, seq).addAll(fields).build();
        byte[] datagram = codec.encode(request);
        try {
            if (passFd >= 0) {
                FdPassing.send(fd, datagram, passFd);
            } else {
                send(datagram);
            }
        } finally {
            Arrays.fill(datagram, (byte) 0);
        }
        return awaitReply(command, seq);
    }

    private Message awaitReply(Command command, long seq) throws IOException {
        ReplyAssembler parts = new ReplyAssembler();
        while (true) {
            Message m = receive(timeout)
                    .orElseThrow(() -> new IOException("no reply to " + command + " from " + path
                            + " within " + timeout.toMillis() + " ms"));
            if (m.kind() == Kind.NOTIFICATION) {
                notifications.add(m);
                continue;
            }
            if (m.kind() != Kind.REPLY || m.sequence() != seq) {
                continue; // a late reply to an earlier request that timed out
            }
            Optional<Message> whole;
            try {
                whole = parts.add(m);
            } catch (MalformedMessageException e) {
                throw new IOException("bad reply from the daemon: " + e.getMessage(), e);
            }
            if (whole.isPresent()) {
                return checked(whole.get());
            }
        }
    }

    private static Message checked(Message reply) throws IOException {
        try {
            long error = reply.error();
            if (error != 0) {
                throw new RequestRefusedException((int) error,
                        reply.errorMessage().orElse(dev.ovpndpdk.control.protocol.Errno.name(error)));
            }
            return reply;
        } catch (FieldException e) {
            throw new IOException("bad reply from the daemon: " + e.getMessage(), e);
        }
    }

    /**
     * The next notification: one that came in while a reply was awaited, else the next to
     * arrive within {@code wait}; empty on timeout. Needs a SUBSCRIBE first.
     */
    public Optional<Message> nextNotification(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (notifications.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<Message> m = receive(Duration.ofNanos(left));
            if (m.isPresent() && m.get().kind() == Kind.NOTIFICATION) {
                notifications.add(m.get());
            }
        }
        return Optional.of(notifications.poll());
    }

    /**
     * Sends one raw datagram, whatever it holds and however long: for tests and tools that
     * check how the daemon treats malformed or oversized input. Read the answer with
     * {@link #receive}.
     */
    public void send(byte[] datagram) throws IOException {
        if (datagram.length > sendBuffer.byteSize()) {
            try (Arena big = Arena.ofConfined()) {
                sendFrom(big.allocateFrom(ValueLayout.JAVA_BYTE, datagram), datagram.length);
            }
            return;
        }
        MemorySegment.copy(datagram, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, datagram.length);
        try {
            sendFrom(sendBuffer, datagram.length);
        } finally {
            sendBuffer.asSlice(0, datagram.length).fill((byte) 0);
        }
    }

    private void sendFrom(MemorySegment buffer, int length) throws IOException {
        if (Sockets.sendTo(fd, buffer.address(), length, Sockets.MSG_NOSIGNAL, 0, 0) < 0) {
            throw new IOException("sending to " + path + " was interrupted");
        }
    }

    /**
     * The next message of any kind within {@code wait}, or empty on timeout.
     *
     * @throws IOException when the daemon closed the connection or sent something unreadable
     */
    public Optional<Message> receive(Duration wait) throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (wait.toNanos() + 999_999) / 1_000_000));
        if (!Poll.waitFor(fd, Poll.POLLIN, millis)) {
            return Optional.empty();
        }
        FdPassing.Received r = FdPassing.receive(fd, receiveBuffer);
        Fd.closeQuietly(r.fd()); // the daemon never sends descriptors
        if (r.length() < 0) {
            return Optional.empty();
        }
        if (r.length() == 0) {
            throw new IOException("the daemon closed the connection");
        }
        try {
            return Optional.of(codec.decode(receiveBuffer, 0, r.length()));
        } catch (MalformedMessageException e) {
            throw new IOException("malformed message from the daemon: " + e.getMessage(), e);
        }
    }

    private long nextSequence() {
        // 1, 2, …: sequence 0 is what the daemon answers unreadable headers with.
        sequence = sequence % 0xFFFF_FFFFL + 1;
        return sequence;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Fd.closeQuietly(fd);
            arena.close();
        }
    }
}

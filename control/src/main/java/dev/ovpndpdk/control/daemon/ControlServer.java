package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.Poll;
import dev.ovpndpdk.bindings.libc.ProcessIds;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.bindings.libc.UnixSockets;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.ReplyParts;
import dev.ovpndpdk.dataplane.engine.Notification;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control socket (docs/control-protocol.md, "Transport"): a SOCK_SEQPACKET Unix socket,
 * mode 0600, peer credentials checked, one message per datagram, every request answered in
 * order, notifications to subscribers. Single-threaded and non-blocking: {@link #poll} is one
 * turn of the control thread's loop and never waits on a client longer than its timeout.
 * How a datagram is taken off a connection is {@link DatagramReader}'s; what a request
 * does is {@link Handlers}'.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    public static final int MAX_CONNECTIONS = 128;
    /** Reply parts waiting for one client before it is cut off (64 MiB at most). */
    static final int MAX_QUEUED_PARTS = 1024;
    /** Requests served per client per turn, so one busy client cannot starve the others. */
    private static final int READS_PER_TURN = 16;
    /** Not in the protocol's errno list: a daemon bug, not something wrong with the request. */
    static final int EIO = 5;

    private final Path path;
    private final int listenFd;
    private final Handlers handlers;
    private final IntPredicate uidAllowed;
    private final MessageCodec codec = new MessageCodec();
    private final List<Connection> connections = new ArrayList<>();
    /** Dropped since the last turn; the handlers hear of them at the start of the next (see {@link #drop}). */
    private final List<Connection> dropped = new ArrayList<>();
    private final DatagramReader reader = new DatagramReader(codec);
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendBuffer = arena.allocate(MessageCodec.MAX_MESSAGE_BYTES);
    private Poll poll;
    private int pollCapacity;
    private long notificationSequence;
    private int connectionIds;
    private boolean closed;

    private ControlServer(Path path, int listenFd, Handlers handlers, IntPredicate uidAllowed) {
        this.path = path;
        this.listenFd = listenFd;
        this.handlers = handlers;
        this.uidAllowed = uidAllowed;
    }

    /** Root and the daemon's own user: the two the protocol admits. */
    public static IntPredicate rootOrSelf() {
        int self = ProcessIds.euid();
        return uid -> uid == 0 || uid == self;
    }

    /** Binds the socket at {@code path} for {@link #rootOrSelf()}. */
    public static ControlServer open(Path path, Handlers handlers) throws IOException {
        return open(path, handlers, rootOrSelf());
    }

    /**
     * Binds the socket at {@code path} (mode 0600; its directory created 0700 if missing; a
     * stale socket removed; refused if a live daemon answers there).
     *
     * @param uidAllowed who may send requests; others get EPERM and are disconnected
     */
    public static ControlServer open(Path path, Handlers handlers, IntPredicate uidAllowed) throws IOException {
        ControlSocketFile.prepare(path);
        int fd = UnixSockets.socket(Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
        try {
            UnixSockets.bind(fd, path, 0600);
            Sockets.listen(fd, 64);
        } catch (ErrnoException e) {
            Fd.closeQuietly(fd);
            throw e.errno() == dev.ovpndpdk.bindings.libc.Errno.EADDRINUSE
                    ? new IOException("another daemon is running on " + path, e) : e;
        } catch (RuntimeException e) {
            Fd.closeQuietly(fd);
            throw e;
        }
        return new ControlServer(path, fd, handlers, uidAllowed);
    }

    public Path path() {
        return path;
    }

    public int connectionCount() {
        return connections.size();
    }

    /** One turn: waits up to {@code timeoutMillis} for clients, then serves what is ready. */
    public void poll(int timeoutMillis) throws IOException {
        reportDropped();
        preparePoll();
        if (poll.await(timeoutMillis) == 0) {
            return;
        }
        List<Connection> ready = List.copyOf(connections);
        for (int i = 0; i < ready.size(); i++) {
            short revents = poll.revents(i + 1);
            if (revents != 0) {
                serve(ready.get(i), revents);
            }
        }
        if (poll.readable(0)) {
            acceptAll();
        }
    }

    private void preparePoll() {
        int need = 1 + connections.size();
        if (poll == null || pollCapacity < need) {
            if (poll != null) {
                poll.close();
            }
            pollCapacity = Math.max(8, Integer.highestOneBit(need) * 2);
            poll = new Poll(pollCapacity);
        }
        poll.set(0, listenFd, Poll.POLLIN);
        for (int i = 0; i < pollCapacity - 1; i++) {
            if (i < connections.size()) {
                Connection c = connections.get(i);
                // A subscriber that missed notifications is told so as soon as it can take one.
                short events = !c.outbox.isEmpty() ? Poll.POLLOUT
                        : c.missedNotifications > 0 ? (short) (Poll.POLLIN | Poll.POLLOUT) : Poll.POLLIN;
                poll.set(i + 1, c.fd, events);
            } else {
                poll.set(i + 1, -1, (short) 0);
            }
        }
    }

    private void acceptAll() {
        while (true) {
            int fd;
            try {
                fd = Sockets.accept(listenFd, Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
            } catch (ErrnoException e) {
                LOG.warning("control socket: " + e.getMessage()); // EMFILE and friends: try next turn
                return;
            }
            if (fd < 0) {
                return;
            }
            UnixSockets.PeerCredentials who;
            try {
                who = UnixSockets.peerCredentials(fd);
            } catch (ErrnoException e) {
                Fd.closeQuietly(fd);
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS && !evictIdle()) {
                LOG.warning("control socket: " + MAX_CONNECTIONS + " clients, all busy or the OpenVPN process's; refused pid " + who.pid());
                Fd.closeQuietly(fd);
                continue;
            }
            boolean allowed = uidAllowed.test(who.uid());
            Connection c = new Connection(++connectionIds, fd, who, allowed);
            if (!allowed) {
                LOG.warning(c + ": not allowed to control this daemon (root and its own user only)");
            }
            connections.add(c);
        }
    }

    /**
     * Makes room for a new client when the socket has {@link #MAX_CONNECTIONS}: closes the one
     * idle longest, preferring those that did not subscribe, and never one of the attached
     * OpenVPN process's. A client that leaks connections can then cost only its own, never
     * OpenVPN's or the operator's next command. False when every client is the OpenVPN
     * process's or has a reply in flight.
     */
    private boolean evictIdle() {
        Connection victim = null;
        for (Connection c : connections) {
            if (!c.outbox.isEmpty() || handlers.isAttachedProcess(c)) {
                continue;
            }
            if (victim == null || (victim.subscribed && !c.subscribed)
                    || (victim.subscribed == c.subscribed && c.lastActiveNanos - victim.lastActiveNanos < 0)) {
                victim = c;
            }
        }
        if (victim == null) {
            return false;
        }
        long idle = (System.nanoTime() - victim.lastActiveNanos) / 1_000_000_000L;
        drop(victim, MAX_CONNECTIONS + " clients: the one idle longest (" + idle + " s) makes room for a new one");
        return true;
    }

    private void serve(Connection c, short revents) {
        if ((revents & Poll.POLLNVAL) != 0) {
            drop(c, "invalid descriptor");
            return;
        }
        if (!c.outbox.isEmpty()) {
            flush(c); // POLLOUT, or POLLHUP/POLLERR that make the send fail and the client go
            return;
        }
        if ((revents & Poll.POLLOUT) != 0 && c.missedNotifications > 0) {
            tellLost(c, notificationSequence);
        }
        boolean hangUp = (revents & Poll.POLLHUP) != 0;
        for (int i = 0; i < READS_PER_TURN && c.open && c.outbox.isEmpty(); i++) {
            try {
                if (!readOne(c, hangUp)) {
                    return;
                }
            } catch (IOException e) {
                drop(c, e.getMessage());
            }
        }
    }

    /** Receives and answers one datagram; false when there was none. */
    private boolean readOne(Connection c, boolean hangUp) throws IOException {
        switch (reader.read(c, hangUp)) {
            case DatagramReader.Nothing n -> {
                return false;
            }
            case DatagramReader.HangUp h -> {
                drop(c, null);
                return false;
            }
            case DatagramReader.Answer a -> {
                c.closeAfterFlush |= a.thenClose();
                LOG.fine(() -> c + ": refused: " + a.reply());
                reply(c, a.reply());
            }
            case DatagramReader.Request r -> {
                c.lastActiveNanos = System.nanoTime();
                reply(c, dispatch(c, r.message(), r.fd()));
            }
        }
        return true;
    }

    private Handlers.Reply dispatch(Connection c, Message request, PassedFd passed) {
        try {
            if (request.kind() != Kind.REQUEST) {
                return Handlers.Reply.of(Message.errorReply(request.code(), request.sequence(), Errno.EINVAL,
                        "a " + request.kind().name().toLowerCase(Locale.ROOT) + " is not a request"));
            }
            Handlers.Reply reply = handlers.answer(request, passed, c);
            if (request.code() == Command.SUBSCRIBE.code()) {
                c.subscribed = true;
            }
            return reply;
        } catch (dev.ovpndpdk.control.protocol.ErrnoException e) {
            LOG.fine(() -> c + ": " + request.command().map(Enum::name).orElse("command " + request.code())
                    + " refused: " + e.getMessage());
            return Handlers.Reply.of(Message.errorReplyTo(request, e));
        } catch (RuntimeException e) {
            // A bug must cost one request, never the daemon.
            LOG.log(Level.WARNING, c + ": " + request.command().map(Enum::name).orElse("request")
                    + " failed", e);
            return Handlers.Reply.of(Message.errorReply(request.code(), request.sequence(), EIO, "internal error: " + e));
        } finally {
            passed.close();
        }
    }

    private void reply(Connection c, Message reply) {
        if (!c.open) {
            return;
        }
        for (byte[] part : codec.encodeParts(reply)) {
            c.outbox.add(part);
        }
        if (c.outbox.size() > MAX_QUEUED_PARTS) {
            drop(c, "it does not read its replies");
            return;
        }
        flush(c);
    }

    /** A reply whose fields come on demand: its parts are built as the client takes them. */
    private void reply(Connection c, Handlers.Reply reply) {
        if (!reply.more().hasNext()) {
            reply(c, reply.head());
            return;
        }
        if (!c.open) {
            return;
        }
        c.stream = new ReplyParts(codec, reply.head(), reply.more());
        flush(c);
    }

    private void flush(Connection c) {
        while (c.open && (!c.outbox.isEmpty() || c.stream != null)) {
            if (c.outbox.isEmpty() && !nextPart(c)) {
                return;
            }
            byte[] d = c.outbox.peek();
            MemorySegment.copy(d, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, d.length);
            try {
                if (send(c, d.length) < 0) {
                    return; // socket buffer full: continue on POLLOUT
                }
            } catch (ErrnoException e) {
                drop(c, null); // EPIPE, ECONNRESET: the client is gone
                return;
            }
            c.outbox.poll();
        }
        if (c.closeAfterFlush && c.open) {
            drop(c, null);
        }
    }

    /** Puts the stream's next part in the (empty) outbox; false if the client had to go. */
    private boolean nextPart(Connection c) {
        try {
            c.outbox.add(codec.encode(c.stream.next()));
        } catch (RuntimeException e) {
            // A bug must cost this client its reply, never the daemon; the reply cannot be finished.
            LOG.log(Level.WARNING, c + ": a streamed reply failed", e);
            drop(c, "its reply could not be finished");
            return false;
        }
        if (!c.stream.hasNext()) {
            c.stream = null;
        }
        return true;
    }

    private int send(Connection c, int length) throws ErrnoException {
        return Sockets.sendTo(c.fd, sendBuffer.address(), length, Sockets.MSG_NOSIGNAL | Sockets.MSG_DONTWAIT, 0, 0);
    }

    /**
     * Sends an engine notification to every subscriber (the engine's listener; control thread).
     * A subscriber whose socket buffer is full misses it — the control thread never waits — and
     * is told with a NOTIFICATIONS_LOST as soon as it takes one again, which shows the gap in the
     * sequence numbers (docs/control-protocol.md, "Slow subscribers").
     */
    public void publish(Notification n) {
        notificationSequence = notificationSequence % 0xFFFF_FFFFL + 1;
        byte[] d = null;
        for (Connection c : List.copyOf(connections)) {
            if (!c.subscribed || !c.open) {
                continue;
            }
            if (c.missedNotifications > 0 && !tellLost(c, notificationSequence == 1 ? 0xFFFF_FFFFL : notificationSequence - 1)) {
                c.missedNotifications++; // still full: this one goes the same way
                continue;
            }
            if (d == null) {
                d = codec.encode(PeerFields.notification(n, notificationSequence));
            }
            int sent;
            try {
                sent = c.outbox.isEmpty() ? sendBytes(c, d) : -1;
            } catch (ErrnoException e) {
                drop(c, null);
                continue;
            }
            if (sent < 0 && c.missedNotifications++ == 0) {
                LOG.warning(c + ": socket buffer full, notifications dropped until it reads");
            }
        }
    }

    /**
     * Sends {@code c} a NOTIFICATIONS_LOST with the number it missed and {@code lastMissed}, the
     * sequence number of the last one (docs/control-protocol.md, "Slow subscribers"): the gap
     * shows now, not with the next notification, which may never come, and the next one
     * follows on from it. False if its socket is still full.
     */
    private boolean tellLost(Connection c, long lastMissed) {
        if (!c.outbox.isEmpty()) {
            return false;
        }
        long missed = c.missedNotifications;
        byte[] d = codec.encode(Message.notification(dev.ovpndpdk.control.protocol.Notification.NOTIFICATIONS_LOST, lastMissed)
                .u64(dev.ovpndpdk.control.protocol.FieldNames.MISSED, missed).build());
        try {
            if (sendBytes(c, d) < 0) {
                return false;
            }
        } catch (ErrnoException e) {
            drop(c, null);
            return false;
        }
        c.missedNotifications = 0;
        LOG.info(() -> c + ": reads notifications again; told it missed " + missed);
        return true;
    }

    private int sendBytes(Connection c, byte[] d) throws ErrnoException {
        MemorySegment.copy(d, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, d.length);
        return send(c, d.length);
    }

    /**
     * Closes {@code c}. The handlers hear of it at the start of the next turn, not here: a
     * drop can happen while a notification is being sent to every subscriber, and the peers an
     * attached OpenVPN process leaves behind are deleted with notifications of their own, which
     * must not overtake the one being sent.
     */
    private void drop(Connection c, String why) {
        if (!c.open) {
            return;
        }
        c.open = false;
        c.stream = null;
        connections.remove(c);
        Fd.closeQuietly(c.fd);
        if (!closed) {
            dropped.add(c);
        }
        if (why != null) {
            LOG.warning(c + " disconnected: " + why);
        }
    }

    private void reportDropped() {
        while (!dropped.isEmpty()) {
            handlers.connectionClosed(dropped.removeFirst());
        }
    }

    /** Disconnects every client, closes the socket and removes its file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Connection c : List.copyOf(connections)) {
            drop(c, null);
        }
        Fd.closeQuietly(listenFd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warning("could not remove " + path + ": " + e.getMessage());
        }
        if (poll != null) {
            poll.close();
        }
        reader.close();
        arena.close();
    }
}

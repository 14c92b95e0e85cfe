package dev.ovpndpdk.control.daemon;

import static dev.ovpndpdk.control.protocol.FieldNames.*;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ovpndpdk.aesni.JdkAeadEngine;
import dev.ovpndpdk.bindings.libc.UnixSockets;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Kind;
import dev.ovpndpdk.control.protocol.MalformedMessageException;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.peer.Mode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the control socket's input as the daemon handles it
 * (docs/fuzzing.md): the fuzzer's bytes are a sequence of datagrams ({@link ControlSession}
 * framing), each decoded by {@link MessageCodec} and, when it is a request, executed by
 * {@link Handlers} against a real {@link Engine} in multi-peer mode (no workers: the control
 * side only, as {@code InProcessDaemon}). Invariants:
 * <ul>
 * <li>every datagram gets a reply: a decoded message, or a MalformedMessageException that
 *     becomes an error reply; a request's handler returns a reply or throws ErrnoException —
 *     never another exception (the server would turn it into "internal error", a bug);
 * <li>whatever decodes re-encodes to the same message, and every reply encodes into parts
 *     that decode again;
 * <li>no stuck state: afterwards every peer can be listed and deleted, and a fresh peer with
 *     a key, a route and a swap works as on a new daemon; the engine closes cleanly.
 * </ul>
 * Seeds: the sessions of {@link #sessions()}; regression inputs in
 * {@code HandlersFuzzTestInputs/everyDatagramGetsAReply/}.
 */
class HandlersFuzzTest {
    private static final MessageCodec CODEC = new MessageCodec();
    private static final TunnelIdentity IDENTITY = new TunnelIdentity("tun-fuzz", "memory",
            new java.net.InetSocketAddress(ControlSession.ip("192.0.2.254"), 1194), 1500);
    private static final Connection CLIENT = new Connection(1, -1, new UnixSockets.PeerCredentials(1, 0, 0), true);

    static Stream<Arguments> sessions() {
        return ControlSession.seeds().stream().map(s -> Arguments.of((Object) s));
    }

    @MethodSource("sessions") // Jazzer wants @FuzzTest last: the seeds' source comes first
    @FuzzTest
    void everyDatagramGetsAReply(byte[] input) throws ErrnoException, MalformedMessageException {
        Engine engine = new Engine(Engine.Config.defaults(Mode.MP, 1), new JdkAeadEngine());
        try {
            long[] now = {1_000_000_000L};
            Handlers h = new Handlers(engine, new SocketHandOver(fd -> { }), IDENTITY, "fuzz",
                    () -> now[0] += 1_000_000, Map::of);
            for (byte[] datagram : ControlSession.split(input)) {
                answer(h, datagram);
            }
            stillWorks(h);
        } finally {
            engine.close();
        }
    }

    /** What the server does with one datagram (DatagramReader, then ControlServer#dispatch). */
    private static Message answer(Handlers h, byte[] datagram) throws MalformedMessageException {
        Message request;
        try {
            request = CODEC.decode(datagram);
        } catch (MalformedMessageException e) {
            return replied(Message.errorReplyTo(e));
        }
        assertEquals(request, CODEC.decode(CODEC.encode(request)), "re-encodes");
        if (request.kind() != Kind.REQUEST) {
            return null; // the server answers EINVAL without a handler
        }
        try {
            return replied(h.handle(request, PassedFd.NONE, CLIENT));
        } catch (ErrnoException e) {
            assertNotNull(e.getMessage());
            return replied(Message.errorReplyTo(request, e));
        }
    }

    /** Our own replies always decode: a MalformedMessageException here is a finding. */
    private static Message replied(Message reply) throws MalformedMessageException {
        for (byte[] part : CODEC.encodeParts(reply)) {
            CODEC.decode(part);
        }
        return reply;
    }

    /** Whatever came before, the daemon is as usable as a new one once its peers are gone. */
    private static void stillWorks(Handlers h) throws ErrnoException {
        Message all = h.handle(Message.request(Command.GET_PEER, 1).build(), PassedFd.NONE, CLIENT);
        for (Fields p : all.allNested(PEER)) {
            h.handle(Message.request(Command.DEL_PEER, 2).u64(PEER_ID, p.u64(PEER_ID)).build(), PassedFd.NONE, CLIENT);
        }
        assertEquals(0, h.handle(Message.request(Command.GET_STATS, 3).build(), PassedFd.NONE, CLIENT).u64(PEER_COUNT));
        List<Message> fresh = ControlSession.freshPeer(7, 100);
        for (Message m : fresh) {
            Message reply = h.handle(m, PassedFd.NONE, CLIENT);
            assertEquals(0, reply.error(), () -> m + " -> " + reply);
        }
        assertEquals(1, h.handle(Message.request(Command.GET_STATS, 4).build(), PassedFd.NONE, CLIENT).u64(PEER_COUNT));
    }
}

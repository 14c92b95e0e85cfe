package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.control.protocol.Field;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.PrefixField;
import dev.ovpndpdk.control.protocol.SockAddrField;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.engine.DeleteReason;
import dev.ovpndpdk.dataplane.engine.Engine;
import dev.ovpndpdk.dataplane.engine.Notification;
import dev.ovpndpdk.dataplane.engine.RequestException;
import dev.ovpndpdk.dataplane.peer.IpPrefix;
import dev.ovpndpdk.dataplane.peer.IpText;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.peer.Snapshot;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The control commands, one method each, mapped onto {@link Engine} calls
 * (docs/control-protocol.md, "Commands"; spec §3.1). Runs on the control thread, like
 * everything that touches the engine. A handler reads the fields it knows, calls the engine
 * and returns the whole reply; refusals are {@link ErrnoException}s with the errno the
 * Linux/FreeBSD kernels return for the same failure. Key commands live in {@link KeyHandlers}.
 */
public final class Handlers {
    private static final Logger LOG = Logger.getLogger(Handlers.class.getName());

    private final Engine engine;
    private final SocketHandOver handOver;
    private final TunnelIdentity identity;
    private final LongSupplier clock;
    private final String daemonVersion;
    private final KeyHandlers keys;
    private final Supplier<Map<String, Long>> backendCounters;
    private final Attachment attachment = new Attachment();

    /**
     * @param handOver        takes the OpenVPN socket of ATTACH and NEW_PEER
     * @param identity        what PING reports the daemon serves
     * @param daemonVersion   PING's {@code daemon_version}
     * @param backendCounters the port backend's own counters, added to GET_STATS
     *                        ({@code PortBackend#counters}); read on the control thread
     */
    public Handlers(Engine engine, SocketHandOver handOver, TunnelIdentity identity, String daemonVersion,
                    Supplier<Map<String, Long>> backendCounters) {
        this(engine, handOver, identity, daemonVersion, System::nanoTime, backendCounters);
    }

    Handlers(Engine engine, SocketHandOver handOver, TunnelIdentity identity, String daemonVersion, LongSupplier clock,
             Supplier<Map<String, Long>> backendCounters) {
        this.engine = engine;
        this.handOver = handOver;
        this.identity = identity;
        this.clock = clock;
        this.daemonVersion = daemonVersion;
        this.keys = new KeyHandlers(engine);
        this.backendCounters = backendCounters;
        engine.addListener(n -> {
            if (n instanceof Notification.PeerDeleted d) {
                attachment.removed(d.peerId());
            }
        });
    }

    /**
     * Executes one request of connection {@code c} and returns its reply (not yet split into
     * parts).
     *
     * @param fd the descriptor passed with the request; closed when the request is done
     */
    Message handle(Message request, PassedFd fd, Connection c) throws ErrnoException {
        Reply r = answer(request, fd, c);
        if (!r.more().hasNext()) {
            return r.head();
        }
        Message.Builder whole = Message.replyTo(request);
        r.more().forEachRemaining(whole::add);
        return whole.build();
    }

    /**
     * A reply and, for a dump, the fields after its head: produced as the client takes the
     * parts, so that the daemon never holds a whole 100,000-peer dump.
     */
    record Reply(Message head, Iterator<Field> more) {
        static Reply of(Message whole) {
            return new Reply(whole, Collections.emptyIterator());
        }
    }

    /** {@link #handle}, with a GET_PEER of all peers streamed. */
    Reply answer(Message request, PassedFd fd, Connection c) throws ErrnoException {
        if (request.code() == Command.GET_PEER.code() && !request.has(FieldNames.PEER_ID)) {
            return allPeers(request);
        }
        return Reply.of(dispatch(request, fd, c));
    }

    private Message dispatch(Message request, PassedFd fd, Connection c) throws ErrnoException {
        Command command = request.command().orElseThrow(
                () -> new ErrnoException(Errno.ENOTSUP, "unknown command " + request.code()));
        try {
            return switch (command) {
                case NEW_PEER -> newPeer(request, fd, c);
                case SET_PEER -> setPeer(request);
                case DEL_PEER -> delPeer(request);
                case GET_PEER -> getPeer(request);
                case NEW_KEY -> keys.newKey(request);
                case SWAP_KEYS -> keys.swap(request);
                case DEL_KEY -> keys.delete(request);
                case GET_KEY -> keys.get(request);
                case GET_STATS -> stats(request);
                case ADD_ROUTE -> addRoute(request);
                case DEL_ROUTE -> delRoute(request);
                case SUBSCRIBE -> Message.replyTo(request).build(); // the server marks the connection
                case PING -> ping(request);
                case ATTACH -> attach(request, fd, c);
            };
        } catch (RequestException e) {
            throw new ErrnoException(errno(e.kind()), e.getMessage());
        }
    }

    /** The errno for an engine refusal: what Linux ovpn / if_ovpn return for the same case. */
    static int errno(RequestException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> Errno.ENOENT;
            case EXISTS -> Errno.EEXIST;
            case INVALID -> Errno.EINVAL;
            case NO_KEY -> Errno.ENOLINK;
            case ADDRESS_IN_USE -> Errno.EADDRINUSE;
            case NOT_SUPPORTED -> Errno.ENOTSUP;
            case NO_SPACE -> Errno.ENOSPC;
        };
    }

    static int peerId(Message request) throws ErrnoException {
        return (int) request.u64(FieldNames.PEER_ID, FieldNames.PEER_ID_MAX);
    }

    // --- peers ----------------------------------------------------------------------------------

    private Message newPeer(Message request, PassedFd fd, Connection c) throws ErrnoException {
        int id = peerId(request);
        int txId = (int) request.optU64(PeerFields.TX_ID, FieldNames.PEER_ID_MAX).orElse(id);
        InetSocketAddress remote = SockAddrField.get(request.fields(), FieldNames.REMOTE);
        Optional<InetSocketAddress> local = SockAddrField.opt(request.fields(), FieldNames.LOCAL);
        if (local.isPresent() && SockAddrField.isIpv4(local.get()) != SockAddrField.isIpv4(remote)) {
            throw request.fields().badValue(FieldNames.LOCAL, "must be of the same family as remote");
        }
        Remote from = local.isPresent() ? localAddress(local.get()) : null;
        Inet4Address vpn4 = ipv4(request.optBytes(FieldNames.VPN_IPV4, 4));
        Inet6Address vpn6 = ipv6(request.optBytes(FieldNames.VPN_IPV6, 16));
        OptionalLong interval = request.optU64(FieldNames.KEEPALIVE_INTERVAL, FieldNames.KEEPALIVE_MAX);
        OptionalLong timeout = request.optU64(FieldNames.KEEPALIVE_TIMEOUT, FieldNames.KEEPALIVE_MAX);
        if (interval.isPresent() != timeout.isPresent()) {
            throw new ErrnoException(Errno.EINVAL, "keepalive_interval and keepalive_timeout go together");
        }
        // Everything the engine would refuse is refused before the socket is touched: a
        // refused request changes nothing.
        engine.checkNewPeer(id, txId, vpn4, vpn6);
        OptionalInt socket = passedSocket(request, fd);
        if (socket.isPresent()) {
            handOver.newPeer(socket.getAsInt(), engine.table().size() > 0);
        }
        long now = clock.getAsLong();
        Peer p = engine.newPeer(id, txId, remote, vpn4, vpn6, from, now);
        if (interval.isPresent()) {
            engine.setKeepalive(id, interval.getAsLong(), timeout.getAsLong(), now);
        }
        attachment.created(c, p);
        return Message.replyTo(request).build();
    }

    /**
     * NEW_PEER's {@code local} (OpenVPN sends it with --multihome: the address the client's
     * packets came to), which the peer's packets must leave from. A daemon listening on one
     * address sends from it anyway, so another is refused; one listening on a wildcard address
     * names it per datagram (IP_PKTINFO). Null for the wildcard itself.
     */
    private Remote localAddress(InetSocketAddress local) throws ErrnoException {
        Remote l = Remote.of(local);
        Remote listen = Remote.of(identity.listen());
        boolean wildcard = identity.listen().getAddress().isAnyLocalAddress();
        if (local.getAddress().isAnyLocalAddress()) {
            return null;
        }
        if (!wildcard && (l.ipv6() != listen.ipv6() || l.hi() != listen.hi() || l.lo() != listen.lo())) {
            throw new ErrnoException(Errno.EINVAL, "field local: " + IpText.of(local.getAddress())
                    + " is not this daemon's address: it listens on " + listen + " and sends from there only");
        }
        return l;
    }

    /** The descriptor the request's {@code socket} field names; EBADF when none was passed. */
    private static OptionalInt passedSocket(Message request, PassedFd fd) throws ErrnoException {
        OptionalLong socket = request.optU64(FieldNames.SOCKET);
        if (socket.isEmpty()) {
            return OptionalInt.empty();
        }
        if (socket.getAsLong() != 0 || !fd.present()) {
            throw new ErrnoException(Errno.EBADF, "field socket: no descriptor " + Long.toUnsignedString(
                    socket.getAsLong()) + " was passed with this request (SCM_RIGHTS)");
        }
        return OptionalInt.of(fd.fd());
    }

    /** ATTACH: the OpenVPN process of this tunnel; its socket, and the peers it will own. */
    private Message attach(Message request, PassedFd fd, Connection c) throws ErrnoException {
        OptionalInt socket = passedSocket(request, fd);
        boolean first = attachment.owner() != c;
        if (first && attachment.owner() != null) {
            attachment.attach(c); // EBUSY, naming the owner
        }
        if (socket.isPresent()) {
            handOver.attach(socket.getAsInt());
        }
        attachment.attach(c);
        if (first) {
            LOG.info(() -> c + " attached as the OpenVPN process of " + identity.tun()
                    + (socket.isPresent() ? ", with its socket" : "") + "; its peers leave with it");
        } else if (socket.isPresent()) {
            LOG.info(() -> c + " handed over its socket");
        }
        return Message.replyTo(request).u64(FieldNames.PEER_COUNT, engine.table().size()).build();
    }

    /**
     * Connection {@code c} closed. If it was the attached OpenVPN process, the peers it created
     * and that are still there are deleted (TEARDOWN): nothing flows on keys nobody manages.
     */
    void connectionClosed(Connection c) {
        Optional<List<Peer>> owned = attachment.closed(c);
        if (owned.isEmpty()) {
            return;
        }
        int deleted = 0;
        for (Peer p : owned.get()) {
            if (engine.table().get(p.id()) == p) {
                engine.delPeer(p.id(), DeleteReason.TEARDOWN);
                deleted++;
            }
        }
        int n = deleted;
        LOG.info(() -> c + ", the attached OpenVPN process, went away: " + (n == 0 ? "it had no peers"
                : n + " peer" + (n == 1 ? "" : "s") + " deleted (teardown)"));
    }

    /** Whether {@code c} belongs to the attached OpenVPN process (never evicted when the socket is full). */
    boolean isAttachedProcess(Connection c) {
        return attachment.isOwnersProcess(c);
    }

    private Message setPeer(Message request) throws ErrnoException {
        int id = peerId(request);
        long interval = request.u64(FieldNames.KEEPALIVE_INTERVAL, FieldNames.KEEPALIVE_MAX);
        long timeout = request.u64(FieldNames.KEEPALIVE_TIMEOUT, FieldNames.KEEPALIVE_MAX);
        engine.setKeepalive(id, interval, timeout, clock.getAsLong());
        return Message.replyTo(request).build();
    }

    private Message delPeer(Message request) throws ErrnoException {
        engine.delPeer(peerId(request));
        return Message.replyTo(request).build();
    }

    private Message getPeer(Message request) throws ErrnoException {
        int id = peerId(request);
        Snapshot s = engine.table().current();
        Peer p = s.byId(id);
        if (p == null) {
            throw new ErrnoException(Errno.ENOENT, "no peer " + id);
        }
        return Message.replyTo(request)
                .nested(FieldNames.PEER, PeerFields.peer(p, s.routesOf(p.id()), clock.getAsLong())).build();
    }

    /**
     * GET_PEER without peer_id: one {@code peer} per peer, by peer-id, from the snapshot of
     * this moment — immutable, so the dump cannot tear however long the client takes to read
     * it; each peer's counters are read when its part is built.
     */
    private Reply allPeers(Message request) {
        Snapshot s = engine.table().current();
        long now = clock.getAsLong();
        Iterator<Field> peers = Arrays.stream(s.peersById())
                .map(p -> (Field) Field.nested(FieldNames.PEER, PeerFields.peer(p, s.routesOf(p.id()), now)))
                .iterator();
        return new Reply(Message.replyTo(request).build(), peers);
    }

    // --- routes (iroutes) -------------------------------------------------------------------------

    private Message addRoute(Message request) throws ErrnoException {
        int id = peerId(request);
        IpPrefix prefix = prefix(request);
        engine.addRoute(prefix, id); // EEXIST when the prefix is routed already
        return Message.replyTo(request).build();
    }

    private Message delRoute(Message request) throws ErrnoException {
        IpPrefix prefix = prefix(request);
        OptionalLong id = request.optU64(FieldNames.PEER_ID, FieldNames.PEER_ID_MAX);
        int owner;
        if (id.isPresent()) {
            owner = (int) id.getAsLong();
        } else {
            Peer p = engine.table().current().route(prefix);
            if (p == null) {
                throw new ErrnoException(Errno.ENOENT, "no route " + prefix);
            }
            owner = p.id();
        }
        engine.delRoute(prefix, owner);
        return Message.replyTo(request).build();
    }

    private static IpPrefix prefix(Message request) throws ErrnoException {
        PrefixField p = PrefixField.get(request.fields(), FieldNames.PREFIX);
        return IpPrefix.of(p.address(), p.prefixLen());
    }

    // --- daemon -----------------------------------------------------------------------------------

    private Message stats(Message request) {
        Message.Builder reply = Message.replyTo(request).u64(FieldNames.PEER_COUNT, engine.table().size());
        engine.stats().snapshot().forEach(reply::u64);
        backendCounters.get().forEach(reply::u64); // the DPDK backend's exception path, pool, drivers; crypto_*
        return reply.string(FieldNames.CRYPTO, cryptoName()).build();
    }

    /** The engine the packets go through: the offload's name when there is one (the software one takes only the rest). */
    private String cryptoName() {
        return engine.offload() != null ? engine.offload().engine().name() : engine.crypto().name();
    }

    private Message ping(Message request) {
        Message.Builder reply = Message.replyTo(request)
                .u64(FieldNames.PROTOCOL_VERSION, MessageCodec.VERSION)
                .string(FieldNames.DAEMON_VERSION, daemonVersion);
        for (CipherAlg alg : CipherAlg.values()) {
            if (engine.crypto().supports(alg)) {
                reply.string(FieldNames.CIPHER, alg.openvpnName());
            }
        }
        reply.u64(FieldNames.PEER_COUNT, engine.table().size())
                .string(FieldNames.MODE, engine.config().mode().name().toLowerCase(Locale.ROOT))
                .string(FieldNames.TUN, identity.tun())
                .string(FieldNames.BACKEND, identity.backend())
                .add(SockAddrField.field(FieldNames.LISTEN, identity.listen()));
        if (identity.tunMtu() > 0) {
            reply.u64(FieldNames.TUN_MTU, identity.tunMtu());
        }
        reply.string(FieldNames.CRYPTO, cryptoName())
                .string(FieldNames.CRYPTO_ENGINE, engine.offload() != null ? engine.offload().engine().describe()
                        : engine.crypto().describe());
        return reply.string(FieldNames.FEATURE, FieldNames.FEATURE_ATTACH)
                .string(FieldNames.FEATURE, FieldNames.FEATURE_PEER_FLOAT)
                .string(FieldNames.FEATURE, FieldNames.FEATURE_LOCAL)
                .build();
    }

    // --- addresses --------------------------------------------------------------------------------

    private static Inet4Address ipv4(Optional<byte[]> raw) {
        return raw.map(b -> (Inet4Address) address(b, false)).orElse(null);
    }

    private static Inet6Address ipv6(Optional<byte[]> raw) {
        return raw.map(b -> (Inet6Address) address(b, true)).orElse(null);
    }

    private static InetAddress address(byte[] raw, boolean v6) {
        try {
            // Inet6Address.getByAddress keeps a v4-mapped address IPv6, so the engine sees (and
            // refuses) it as given instead of it silently turning into an IPv4 address.
            return v6 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length was checked", e);
        }
    }
}

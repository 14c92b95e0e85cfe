package dev.ovpndpdk.dataplane.engine;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.CryptoQueue;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.peer.IpPrefix;
import dev.ovpndpdk.dataplane.peer.IpText;
import dev.ovpndpdk.dataplane.peer.Mode;
import dev.ovpndpdk.dataplane.peer.Peer;
import dev.ovpndpdk.dataplane.peer.PeerTable;
import dev.ovpndpdk.dataplane.peer.Remote;
import dev.ovpndpdk.dataplane.peer.Snapshot;
import dev.ovpndpdk.dataplane.port.PacketBatch;
import dev.ovpndpdk.dataplane.port.TunnelPort;
import dev.ovpndpdk.dataplane.port.WirePort;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.KeySlots;
import dev.ovpndpdk.dataplane.proto.ReplayWindow;
import dev.ovpndpdk.dataplane.stats.CounterSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The data plane as the control thread sees it: peers, keys and iroutes in (the DCO
 * operations of spec §3.1), notifications and counters out. Every method here runs on the
 * one control thread; workers only ever see what it publishes (snapshots, key pairs) and
 * hand back events through a lock-free queue.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());

    /** Shape of the engine, fixed at start. */
    public record Config(Mode mode, int workers, int burst, int slotSize, int replayWindow) {
        public Config {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1");
            }
            ReplayWindow.checkSize(replayWindow);
        }

        public static Config defaults(Mode mode, int workers) {
            return new Config(mode, workers, PacketBatch.DEFAULT_BURST, 2048, ReplayWindow.DEFAULT_SIZE);
        }
    }

    private final Config config;
    private final AeadEngine crypto;
    private final Offload offload;
    private final PeerTable table;
    private final CounterSet stats;
    private final GracePeriod grace;
    private final Arena arena = Arena.ofShared();
    private final Queue<Notification> workerEvents = new ConcurrentLinkedQueue<>();
    private final List<Consumer<Notification>> listeners = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<AeadScratch> scratches = new ArrayList<>();
    private final List<WorkerThread> threads = new ArrayList<>();
    private boolean closed;
    /** The slice of the peer table the next {@link #tick} looks at. */
    private int sweep;

    /** Peers that every tick looks at; beyond, each tick takes one slice (see {@link #tick}). */
    static final int SCAN_ALL_UP_TO = 4096;
    static final int SWEEP_TICKS = 10;

    public Engine(Config config, AeadEngine crypto) {
        this(config, crypto, null);
    }

    /**
     * @param offload an asynchronous crypto engine and how to use it, or null: every packet in
     *                {@code crypto} on the worker's own core
     */
    public Engine(Config config, AeadEngine crypto, Offload offload) {
        this.config = config;
        this.crypto = crypto;
        this.offload = offload;
        this.table = new PeerTable(config.mode());
        this.stats = new CounterSet(config.workers());
        this.grace = new GracePeriod(config.workers());
    }

    public Config config() {
        return config;
    }

    public AeadEngine crypto() {
        return crypto;
    }

    /** The asynchronous crypto engine in use, or null. */
    public Offload offload() {
        return offload;
    }

    /**
     * The asynchronous engine's counters summed over the workers' queues, by their GET_STATS
     * names ({@code crypto_submitted}, {@code crypto_completed}, {@code crypto_in_flight},
     * {@code crypto_busy}, {@code crypto_failed}); empty without an engine. Read on the control
     * thread while the workers write: each value is a recent one.
     */
    public java.util.Map<String, Long> offloadCounters() {
        if (offload == null) {
            return java.util.Map.of();
        }
        long submitted = 0;
        long completed = 0;
        long busy = 0;
        long failed = 0;
        for (Worker w : workers) {
            dev.ovpndpdk.crypto.CryptoQueue q = w.cryptoQueue();
            submitted += q.submitted();
            completed += q.completed();
            busy += q.busy();
            failed += q.failed();
        }
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("crypto_submitted", submitted);
        m.put("crypto_completed", completed);
        m.put("crypto_in_flight", Math.max(0, submitted - completed));
        m.put("crypto_busy", busy);
        m.put("crypto_failed", failed);
        return m;
    }

    public PeerTable table() {
        return table;
    }

    public CounterSet stats() {
        return stats;
    }

    GracePeriod grace() {
        return grace;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    public void addListener(Consumer<Notification> l) {
        listeners.add(l);
    }

    // --- workers ------------------------------------------------------------------------------

    /** Creates the next worker on its pair of queues. Before {@link #start}. */
    public Worker addWorker(WirePort wire, TunnelPort tunnel) {
        if (workers.size() >= config.workers()) {
            throw new IllegalStateException("already " + config.workers() + " workers");
        }
        AeadScratch s = crypto.newScratch();
        scratches.add(s);
        int index = workers.size();
        CryptoQueue q = offload == null ? null : offload.engine().newQueue(index, offload.depth());
        // The worker's ring no deeper than the device's queue: what the ring takes, the device takes.
        int depth = q == null ? 0 : Math.min(offload.depth(), Integer.highestOneBit(q.depth()));
        if (q != null && depth < offload.depth()) {
            int d = depth;
            LOG.info(() -> "worker " + index + ": " + d + " packets in flight (the device's queue holds " + q.depth() + ")");
        }
        Worker w = new Worker(index, wire, tunnel, table, stats, grace, s, workerEvents,
                arena, config.burst(), config.slotSize(), q, depth, offload == null ? 0 : offload.minSize());
        workers.add(w);
        return w;
    }

    /**
     * Starts one thread per worker, idling by {@link Idle#BACKOFF}.
     *
     * @param waiterFor how worker i sleeps when idle
     * @param pinFor    pins worker i's thread to its core (may do nothing)
     */
    public void start(java.util.function.IntFunction<Waiter> waiterFor, java.util.function.IntFunction<Runnable> pinFor) {
        start(Idle.BACKOFF, waiterFor, pinFor);
    }

    /**
     * Starts one thread per worker.
     *
     * @param idle      what every worker does when it finds no work
     * @param waiterFor how worker i sleeps when idle (unused by {@link Idle#SPIN})
     * @param pinFor    pins worker i's thread to its core (may do nothing)
     */
    public void start(Idle idle, java.util.function.IntFunction<Waiter> waiterFor,
                      java.util.function.IntFunction<Runnable> pinFor) {
        if (workers.size() != config.workers()) {
            throw new IllegalStateException(workers.size() + " of " + config.workers() + " workers added");
        }
        for (Worker w : workers) {
            Waiter waiter = idle == Idle.SPIN ? Waiter.PARK : waiterFor.apply(w.index());
            WorkerThread t = new WorkerThread(w, grace, idle, waiter, pinFor.apply(w.index()));
            threads.add(t);
            t.start();
        }
    }

    // --- peers --------------------------------------------------------------------------------

    /**
     * NEW_PEER. In P2P mode an existing peer is replaced and reported with TEARDOWN, as Linux
     * does (spec §3.2, §5.3). VPN addresses are required in MP mode and refused in P2P.
     *
     * @param local our address towards the peer, which its packets leave from; null for the port's own
     */
    public Peer newPeer(int id, int txId, InetSocketAddress remote, Inet4Address vpn4, Inet6Address vpn6,
                        Remote local, long now) {
        checkNewPeer(id, txId, vpn4, vpn6);
        Peer p = new Peer(id, txId, remote, vpn4, vpn6, config.workers(), local, now);
        if (config.mode() == Mode.P2P && table.size() == 1) {
            remove(table.current().findPeer(q -> true), DeleteReason.TEARDOWN);
        }
        table.add(p);
        LOG.info(() -> "peer " + id + " added" + (remote == null ? "" : ", remote " + p.remote())
                + (vpn4 == null ? "" : ", vpn " + vpn4.getHostAddress())
                + (vpn6 == null ? "" : ", vpn " + IpText.of(vpn6)));
        return p;
    }

    /**
     * Everything {@link #newPeer} would refuse, refused without changing anything: a request
     * that also hands over a socket checks here first, so that a refusal leaves no trace.
     */
    public void checkNewPeer(int id, int txId, Inet4Address vpn4, Inet6Address vpn6) {
        if (config.mode() == Mode.MP && vpn4 == null && vpn6 == null) {
            throw new RequestException(RequestException.Kind.INVALID, "an mp-mode peer needs a VPN IPv4 or IPv6 address");
        }
        if (config.mode() == Mode.P2P && (vpn4 != null || vpn6 != null)) {
            throw new RequestException(RequestException.Kind.INVALID, "VPN addresses are for mp mode; p2p sends everything to its one peer");
        }
        try {
            Peer.checkIds(id, txId);
        } catch (IllegalArgumentException e) {
            throw new RequestException(RequestException.Kind.INVALID, e.getMessage());
        }
        if (vpn4 != null) {
            checkVpn(vpn4);
        }
        if (vpn6 != null) {
            checkVpn(vpn6);
        }
        if (table.get(id) != null) {
            throw new RequestException(RequestException.Kind.EXISTS, "peer " + id + " exists");
        }
        try {
            table.checkVpnAddressesFree(vpn4, vpn6);
        } catch (IllegalArgumentException e) {
            throw new RequestException(RequestException.Kind.ADDRESS_IN_USE, e.getMessage());
        }
    }

    private static void checkVpn(java.net.InetAddress a) {
        try {
            PeerTable.checkVpnAddress(a);
        } catch (IllegalArgumentException e) {
            throw new RequestException(RequestException.Kind.INVALID, e.getMessage());
        }
    }

    public Peer peer(int id) {
        Peer p = table.get(id);
        if (p == null) {
            throw new RequestException(RequestException.Kind.NOT_FOUND, "no peer " + id);
        }
        return p;
    }

    /** SET_PEER: keepalive interval and timeout in seconds; 0 and 0 turn it off. */
    public void setKeepalive(int id, long intervalSeconds, long timeoutSeconds, long now) {
        if (intervalSeconds < 0 || timeoutSeconds < 0 || intervalSeconds > 86400 || timeoutSeconds > 86400) {
            throw new RequestException(RequestException.Kind.INVALID, "keepalive values must be 0..86400 seconds");
        }
        peer(id).keepalive(intervalSeconds * 1_000_000_000L, timeoutSeconds * 1_000_000_000L, now);
        LOG.info(() -> "peer " + id + " keepalive " + intervalSeconds + " s / " + timeoutSeconds + " s");
    }

    /** DEL_PEER from the control socket. */
    public void delPeer(int id) {
        delPeer(id, DeleteReason.USERSPACE);
    }

    /**
     * Removes a peer for {@code reason}: USERSPACE for DEL_PEER, TEARDOWN when the OpenVPN
     * process that created it went away (docs/control-protocol.md, "ATTACH").
     */
    public void delPeer(int id, DeleteReason reason) {
        remove(peer(id), reason);
    }

    private void remove(Peer p, DeleteReason reason) {
        table.remove(p.id());
        KeySlots.Pair keys = p.keys().clear();
        grace.retire(keys.primary());
        grace.retire(keys.secondary());
        LOG.info(() -> "peer " + p.id() + " deleted (" + reason.reasonName() + ")");
        emit(new Notification.PeerDeleted(p.id(), reason, p.stats().snapshot()));
    }

    // --- keys ---------------------------------------------------------------------------------

    /** NEW_KEY: installs a key into a slot; the key it replaces is zeroed after a grace period. */
    public void newKey(int peerId, KeySlots.Slot slot, int keyId, CipherAlg alg,
                       MemorySegment encKey, MemorySegment encNonceTail,
                       MemorySegment decKey, MemorySegment decNonceTail) {
        Peer p = peer(peerId);
        KeySlot k;
        try {
            k = KeySlot.create(crypto, offload == null ? null : offload.engine(), keyId, alg, encKey, encNonceTail,
                    decKey, decNonceTail, config.replayWindow(), config.workers());
        } catch (IllegalArgumentException e) {
            throw new RequestException(RequestException.Kind.INVALID, e.getMessage());
        } catch (IllegalStateException e) {
            // The asynchronous engine has no room for another session (its pool is full).
            throw new RequestException(RequestException.Kind.NO_SPACE, e.getMessage());
        }
        grace.retire(p.keys().install(slot, k));
        LOG.info(() -> "peer " + peerId + ": key-id " + keyId + " " + alg + " in " + slot.name().toLowerCase());
    }

    /** SWAP_KEYS. */
    public void swapKeys(int peerId) {
        try {
            peer(peerId).keys().swap();
        } catch (IllegalStateException e) {
            throw new RequestException(RequestException.Kind.NO_KEY, "peer " + peerId + ": " + e.getMessage());
        }
        LOG.info(() -> "peer " + peerId + ": keys swapped");
    }

    /** DEL_KEY. */
    public void delKey(int peerId, KeySlots.Slot slot) {
        KeySlot k = peer(peerId).keys().delete(slot);
        if (k == null) {
            throw new RequestException(RequestException.Kind.NOT_FOUND, "peer " + peerId + " has no " + slot.name().toLowerCase() + " key");
        }
        grace.retire(k);
        LOG.info(() -> "peer " + peerId + ": " + slot.name().toLowerCase() + " key deleted");
    }

    /** GET_KEY: the slot's metadata holder (never its bytes). */
    public KeySlot key(int peerId, KeySlots.Slot slot) {
        KeySlot k = peer(peerId).keys().get(slot);
        if (k == null) {
            throw new RequestException(RequestException.Kind.NOT_FOUND, "peer " + peerId + " has no " + slot.name().toLowerCase() + " key");
        }
        return k;
    }

    // --- iroutes --------------------------------------------------------------------------------

    public void addRoute(IpPrefix prefix, int peerId) {
        if (config.mode() != Mode.MP) {
            throw new RequestException(RequestException.Kind.NOT_SUPPORTED, "iroutes are for mp mode");
        }
        peer(peerId);
        Peer owner = table.current().route(prefix);
        if (owner != null) { // one owner per prefix: moving it is DEL_ROUTE then ADD_ROUTE
            throw new RequestException(RequestException.Kind.EXISTS,
                    "prefix " + prefix + " is routed to peer " + owner.id() + " already");
        }
        table.addRoute(prefix, peerId);
        LOG.info(() -> "route " + prefix + " via peer " + peerId);
    }

    public void delRoute(IpPrefix prefix, int peerId) {
        if (!table.removeRoute(prefix, peerId)) {
            throw new RequestException(RequestException.Kind.NOT_FOUND, "no route " + prefix + " via peer " + peerId);
        }
        LOG.info(() -> "route " + prefix + " via peer " + peerId + " removed");
    }

    // --- timers ---------------------------------------------------------------------------------

    /**
     * The control thread's periodic duty (every ~100 ms): pass worker events on, keepalive
     * (spec §5.7: ping when nothing was sent for the interval, expire when nothing authentic
     * arrived for the timeout), rekey requests, and reclaiming retired keys.
     *
     * <p>Up to {@value #SCAN_ALL_UP_TO} peers, every tick looks at every peer. Beyond, each
     * tick looks at one of {@value #SWEEP_TICKS} slices of the table, so that a tick's work
     * (and the delay it adds to a control request behind it) stays a tenth of the table's:
     * every peer is still seen every {@value #SWEEP_TICKS} ticks, about a second, which is
     * the resolution of OpenVPN's own keepalive seconds.
     */
    public void tick(long now) {
        Notification n;
        while ((n = workerEvents.poll()) != null) {
            emit(n);
        }
        // The snapshot of this moment: removing an expired peer publishes a new one, not this.
        Snapshot s = table.current();
        if (s.size() <= SCAN_ALL_UP_TO) {
            s.forEachPeer(p -> tickPeer(p, now));
        } else {
            s.forEachPeerInSlice(sweep, SWEEP_TICKS, p -> tickPeer(p, now));
            sweep = (sweep + 1) % SWEEP_TICKS;
        }
        grace.reclaim();
    }

    private void tickPeer(Peer p, long now) {
        long timeout = p.keepaliveTimeoutNanos();
        long interval = p.keepaliveIntervalNanos();
        if (timeout > 0 && interval > 0) {
            if (now - p.lastRxNanos() >= timeout) {
                remove(p, DeleteReason.EXPIRED);
                return;
            }
            if (now - p.lastTxNanos() >= interval && !workers.isEmpty()) {
                workers.get(p.id() % workers.size()).requestPing(p);
                p.touchTx(now); // one request per interval, even if the worker is slow to send it
            }
        }
        KeySlot primary = p.keys().primary();
        if (primary != null && primary.claimRotateNotification()) {
            LOG.info(() -> "peer " + p.id() + ": key-id " + primary.keyId() + " should be renegotiated: "
                    + primary.rotationReason());
            emit(new Notification.KeyRotate(p.id(), primary.keyId()));
        }
    }

    private void emit(Notification n) {
        for (Consumer<Notification> l : listeners) {
            l.accept(n);
        }
    }

    /** Stops the workers, removes every peer (TEARDOWN), zeroes every key, closes the ports. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (WorkerThread t : threads) {
            try {
                t.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Worker w : workers) {
            w.abandonInFlight(); // before keys are freed: the engine may still read them
        }
        for (Peer p : table.current().peersById()) {
            remove(p, DeleteReason.TEARDOWN);
        }
        grace.reclaimAll();
        for (Worker w : workers) {
            w.wire().close();
            w.tunnel().close();
        }
        scratches.forEach(AeadScratch::close);
        arena.close();
    }
}

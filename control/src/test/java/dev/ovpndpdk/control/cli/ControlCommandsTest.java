package dev.ovpndpdk.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ovpndpdk.control.Main;
import dev.ovpndpdk.control.daemon.InProcessDaemon;
import dev.ovpndpdk.dataplane.peer.Mode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** The control commands of the command line against an in-process daemon (mp mode). */
@Timeout(30)
class ControlCommandsTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private InProcessDaemon daemon;
    private String socket;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        daemon = InProcessDaemon.start(dir, Mode.MP);
        socket = daemon.socket.toString();
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private static Result run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    private Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + " -> " + r);
        return r;
    }

    private void newPeer(int id) {
        ok("--control", socket, "peer", "new", "--id", "" + id, "--remote", "10.10.0." + id + ":1194",
                "--vpn-ipv4", "5.5.5." + (id + 1), "--keepalive", "10/60");
    }

    @Test
    void peerNewThenGetAsALineAndAsJson() {
        newPeer(1);
        String line = ok("--control", socket, "peer", "get").out();
        assertTrue(line.startsWith("peer 1  remote 10.10.0.1:1194  vpn 5.5.5.2  keepalive 10/60  idle rx "), line);
        assertTrue(line.contains("  link rx 0 pkts 0 B  tx 0 pkts 0 B  vpn rx 0 pkts 0 B  tx 0 pkts 0 B" + NL), line);
        // --control after the subcommand works as well as before it
        String json = ok("peer", "get", "--id", "1", "--json", "--control", socket).out();
        assertTrue(json.startsWith("{\"peer_id\":1,\"remote\":\"10.10.0.1:1194\",\"vpn_ipv4\":\"5.5.5.2\","
                + "\"keepalive_interval\":10,\"keepalive_timeout\":60,"), json);
        assertTrue(json.contains("\"link_rx_packets\":0") && json.contains("\"drop_replay\":0"), json);
        assertTrue(json.endsWith("}" + NL) && json.lines().count() == 1, json);
        ok("peer", "--control", socket, "set", "--id", "1", "--keepalive-interval", "0", "--keepalive-timeout", "0");
        assertTrue(ok("peer", "get", "--control", socket).out().contains("keepalive off"));
        ok("peer", "del", "--id", "1", "--control", socket);
        assertEquals("", ok("peer", "get", "--control", socket).out());
    }

    @Test
    void aRefusalIsOneLineAndExitStatusOne() {
        Result r = run("--control", socket, "peer", "del", "--id", "9");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("ovpn-dpdk: no peer 9" + NL, r.err());
        r = run("--control", dir.resolve("nothing.sock").toString(), "stats");
        assertEquals(1, r.exit());
        assertEquals("ovpn-dpdk: no daemon at " + dir.resolve("nothing.sock") + " (no such socket)" + NL, r.err());
    }

    @Test
    void keyNewFromAKeyBlockFileAndGetWithoutKeyBytes() throws Exception {
        newPeer(1);
        byte[] block = new byte[256];
        new Random(7).nextBytes(block);
        String hex = HexFormat.of().formatHex(block);
        Path file = Files.writeString(dir.resolve("k.hex"), hex + "\n");
        ok("--control", socket, "key", "new", "--peer", "1", "--slot", "primary", "--key-id", "0",
                "--cipher", "AES-256-GCM", "--key-material", file.toString(), "--role", "client");
        Result get = ok("--control", socket, "key", "get", "--peer", "1", "--slot", "primary");
        assertEquals("peer 1 primary: key-id 0 AES-256-GCM, last tx packet-id 0, aead usage 0" + NL, get.out());
        String json = ok("--control", socket, "key", "get", "--peer", "1", "--slot", "primary", "--json").out();
        assertEquals("{\"peer_id\":1,\"slot\":0,\"key_id\":0,\"cipher\":\"AES-256-GCM\",\"tx_packet_id\":0,"
                + "\"aead_usage\":0,\"failed_verifications\":0}" + NL, json);
        assertFalse(get.out().contains(hex.substring(0, 16)) || json.contains(hex.substring(0, 16)));
        Result swap = run("--control", socket, "key", "swap", "--peer", "1");
        assertEquals(1, swap.exit());
        assertEquals("ovpn-dpdk: peer 1: no secondary key to swap in" + NL, swap.err());
        ok("--control", socket, "key", "del", "--peer", "1", "--slot", "primary");
        assertEquals(2, run("--control", socket, "key", "del", "--peer", "1", "--slot", "third").exit());
    }

    @Test
    void routesAreAddedShownAndRemoved() {
        newPeer(1);
        ok("--control", socket, "route", "add", "--peer", "1", "10.1.0.0/16");
        assertTrue(ok("--control", socket, "peer", "get").out().contains("  routes 10.1.0.0/16"));
        assertTrue(ok("--control", socket, "peer", "get", "--json").out().contains("\"prefix\":[\"10.1.0.0/16\"]"));
        Result hostBits = run("--control", socket, "route", "add", "--peer", "1", "10.1.2.3/16");
        assertEquals(2, hostBits.exit(), hostBits.err());
        assertTrue(hostBits.err().contains("host bits are set beyond the prefix length 16"), hostBits.err());
        ok("--control", socket, "route", "del", "10.1.0.0/16");
        assertEquals(1, run("--control", socket, "route", "del", "10.1.0.0/16").exit());
    }

    @Test
    void statsAsALineAndAsJson() {
        newPeer(1);
        String line = ok("--control", socket, "stats").out();
        assertTrue(line.startsWith("peers 1  link rx 0 pkts 0 B  tx 0 pkts 0 B  vpn rx 0 pkts 0 B  tx 0 pkts 0 B"
                + "  keepalive rx 0 tx 0"), line);
        String json = ok("stats", "--json", "--control", socket).out();
        assertTrue(json.startsWith("{\"peer_count\":1,\"link_rx_packets\":0,"), json);
        assertTrue(json.contains("\"drop_auth_failed\":0"), json);
    }

    /** The DPDK backend's own counters (exception path, pool, drivers) reach {@code stats} as fields of GET_STATS. */
    @Test
    void statsShowTheBackendsCounters() {
        synchronized (daemon.backendCounters) {
            daemon.backendCounters.put("dpdk_exception_to_kernel_packets", 12L);
            daemon.backendCounters.put("dpdk_exception_to_kernel_drops", 0L);
            daemon.backendCounters.put("dpdk_exception_from_kernel_packets", 9L);
            daemon.backendCounters.put("dpdk_exception_from_kernel_drops", 2L);
            daemon.backendCounters.put("dpdk_neighbour_requests", 1L);
            daemon.backendCounters.put("dpdk_neighbour_request_drops", 0L);
            daemon.backendCounters.put("dpdk_mbufs_in_use", 1050L);
            daemon.backendCounters.put("dpdk_mbufs_free", 7141L);
            daemon.backendCounters.put("dpdk_wire_rx_nombuf", 3L);
            daemon.backendCounters.put("dpdk_wire_imissed", 0L);
            daemon.backendCounters.put("dpdk_checksum_bad", 4L);
        }
        String line = ok("--control", socket, "stats").out();
        assertTrue(line.contains("  slow path 0  exception path: to kernel 12 from kernel 9  neighbour requests 1"
                + "  mbufs in use 1050 free 7141  port drops: exception_from_kernel_drops 2 wire_rx_nombuf 3 checksum_bad 4" + NL), line);
        String json = ok("stats", "--json", "--control", socket).out();
        assertTrue(json.contains(",\"dpdk_exception_to_kernel_packets\":12,"), json);
        assertTrue(json.contains(",\"dpdk_wire_rx_nombuf\":3,"), json);
        assertTrue(json.contains(",\"dpdk_mbufs_in_use\":1050,"), json);
    }

    /** The socket backend's counters likewise: its drops (non-zero ones) on the line, all of them in the JSON. */
    @Test
    void statsShowTheSocketBackendsDrops() {
        synchronized (daemon.backendCounters) {
            daemon.backendCounters.put("socket_wire_rx_queue_drops", 12L);
            daemon.backendCounters.put("socket_wire_rx_too_long_drops", 0L);
            daemon.backendCounters.put("socket_wire_gso_trains", 40L);
            daemon.backendCounters.put("socket_tun_rx_queue_drops", 5L);
        }
        String line = ok("--control", socket, "stats").out();
        assertTrue(line.endsWith("  port drops: wire_rx_queue_drops 12 tun_rx_queue_drops 5" + NL), line);
        String json = ok("stats", "--json", "--control", socket).out();
        assertTrue(json.contains(",\"socket_wire_rx_queue_drops\":12,\"socket_wire_rx_too_long_drops\":0,"
                + "\"socket_wire_gso_trains\":40,\"socket_tun_rx_queue_drops\":5"), json);
    }

    @Test
    void aBatchRunsEveryLineInOneProcessAndStopsAtTheFirstFailure() throws Exception {
        Path commands = Files.writeString(dir.resolve("batch.txt"), String.join(NL,
                "# two peers, then one that collides",
                "peer new --id 1 --remote 10.10.0.1:1194 --vpn-ipv4 5.5.5.2",
                "  peer new --id 2 --remote '10.10.0.2:1194' --vpn-ipv4 \"5.5.5.3\"  # quoted",
                "",
                "peer new --id 3 --remote 10.10.0.3:1194 --vpn-ipv4 5.5.5.2",
                "peer new --id 4 --remote 10.10.0.4:1194 --vpn-ipv4 5.5.5.5",
                "stats --json"));
        Result r = run("--control", socket, "batch", commands.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("ovpn-dpdk: batch line 5 failed: peer new --id 3"), r.err());
        assertTrue(ok("--control", socket, "stats", "--json").out().startsWith("{\"peer_count\":2,"));
        r = run("batch", "--force", "--control", socket, commands.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().startsWith("{\"peer_count\":3,"), "line 6 ran after 5 failed: " + r.out());
        Result missing = run("--control", socket, "batch", dir.resolve("missing").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().endsWith("missing: no such file" + NL), missing.err());
        assertEquals(2, run("--control", socket, "batch", Files.writeString(dir.resolve("d"), "daemon --tun x").toString()).exit());
        // One command line serves every line: an option of one line must not stick to the next.
        r = ok("--control", socket, "batch", Files.writeString(dir.resolve("o"), "stats --json" + NL + "stats").toString());
        assertTrue(r.out().startsWith("{\"peer_count\":3,") && r.out().contains("}" + NL + "peers 3  "), r.out());
    }

    @Test
    void pingNamesTheDaemon() {
        String out = ok("--control", socket, "ping").out();
        assertTrue(out.startsWith("ovpn-dpdk test at " + socket + ": protocol 1, 0 peers, ciphers AES-128-GCM"), out);
        assertTrue(out.contains("; mp mode, tun-test, socket backend, udp 127.0.0.1:1194, features attach peer_float local; crypto "),
                out);
    }

    @Test
    void eventsPrintsNotificationsOnePerLine() throws Exception {
        assertEquals("peer_deleted peer=1 reason=userspace" + NL, eventsWhilePeersComeAndGo(false));
        String json = eventsWhilePeersComeAndGo(true);
        assertTrue(json.startsWith("{\"event\":\"peer_deleted\",\"sequence\":"), json);
        assertTrue(json.contains(",\"peer_id\":1,\"reason\":1,\"reason_name\":\"userspace\","), json);
    }

    /** Runs {@code events --count 1} and deletes peers until it has seen one. */
    private String eventsWhilePeersComeAndGo(boolean json) throws Exception {
        AtomicReference<Result> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(json
                ? run("--control", socket, "events", "--count", "1", "--timeout", "10", "--json")
                : run("--control", socket, "events", "--count", "1", "--timeout", "10")));
        t.start();
        while (t.isAlive()) {
            newPeer(1);
            ok("--control", socket, "peer", "del", "--id", "1");
            t.join(100);
        }
        assertEquals(0, result.get().exit(), result.get().toString());
        return result.get().out();
    }

    @Test
    void eventsWithACountEndsInFailureWhenTheTimeoutComesFirst() {
        Result r = run("--control", socket, "events", "--count", "1", "--timeout", "0.3");
        assertEquals(1, r.exit());
        assertEquals("ovpn-dpdk: timeout after 0.3 s: 0 of 1 events" + NL, r.err());
        assertEquals(0, run("--control", socket, "events", "--timeout", "0.2").exit(), "no count: the timeout is the end");
    }
}

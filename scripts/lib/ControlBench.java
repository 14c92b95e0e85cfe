import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.MessageCodec;
import dev.ovpndpdk.control.protocol.SockAddrField;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

/**
 * The control-socket driver of scripts/bench-control.sh, run as a source file on the CLI's
 * jar: one client, back to back, what OpenVPN sends when N clients connect (NEW_PEER with a
 * VPN IPv4 address, NEW_KEY AES-256-GCM), then rekeys (NEW_KEY + SWAP_KEYS + DEL_KEY) on
 * random peers and a full GET_PEER. Prints "key value" lines and writes one CSV row per
 * 1,000 peers (time for that block, the daemon's VmRSS after it) to the given file.
 *
 * <p>Usage: java -cp ovpn-dpdk.jar ControlBench.java SOCKET DAEMON_PID N CSV
 */
public final class ControlBench {
    private static final int BLOCK = 1000;
    private static final int REKEYS = 500;

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        long pid = Long.parseLong(args[1]);
        int n = Integer.parseInt(args[2]);
        Path csv = Path.of(args[3]);
        Random random = new Random(13);
        StringBuilder rows = new StringBuilder("peers,block_ms,us_per_peer,rss_mib\n");
        try (ControlClient c = ControlClient.connect(socket)) {
            c.timeout(Duration.ofSeconds(60));
            long start = System.nanoTime();
            long blockStart = start;
            double first = 0;
            double last = 0;
            for (int id = 1; id <= n; id++) {
                c.call(Command.NEW_PEER, Fields.builder()
                        .u64(FieldNames.PEER_ID, id)
                        .add(SockAddrField.field(FieldNames.REMOTE, new InetSocketAddress(addr(198, id), 1194)))
                        .bytes(FieldNames.VPN_IPV4, addr(100, id).getAddress())
                        .build());
                newKey(c, random, id, FieldNames.SLOT_PRIMARY, 0);
                if (id % BLOCK == 0) {
                    long now = System.nanoTime();
                    double ms = (now - blockStart) / 1e6;
                    if (id == BLOCK) {
                        first = ms;
                    }
                    last = ms;
                    rows.append(id).append(',').append(String.format("%.1f", ms)).append(',')
                            .append(String.format("%.1f", ms * 1000 / BLOCK)).append(',').append(rssMib(pid)).append('\n');
                    blockStart = now;
                }
            }
            double total = (System.nanoTime() - start) / 1e9;
            Files.writeString(csv, rows);
            System.out.printf("peers %d%n", n);
            System.out.printf("install_s %.2f%n", total);
            System.out.printf("peers_per_s %.0f%n", n / total);
            System.out.printf("first_1000_ms %.1f%n", first);
            System.out.printf("last_1000_ms %.1f%n", last);

            long[] rekey = new long[REKEYS];
            for (int i = 0; i < REKEYS; i++) {
                int id = 1 + random.nextInt(n);
                long t0 = System.nanoTime();
                newKey(c, random, id, FieldNames.SLOT_SECONDARY, 1 + (i % 7));
                c.call(Command.SWAP_KEYS, Fields.builder().u64(FieldNames.PEER_ID, id).build());
                c.call(Command.DEL_KEY, Fields.builder().u64(FieldNames.PEER_ID, id)
                        .u64(FieldNames.SLOT, FieldNames.SLOT_SECONDARY).build());
                rekey[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rekey);
            System.out.printf("rekey_median_ms %.3f%n", rekey[REKEYS / 2] / 1e6);
            System.out.printf("rekey_p99_ms %.3f%n", rekey[REKEYS * 99 / 100] / 1e6);

            long best = Long.MAX_VALUE;
            int count = 0;
            long bytes = 0;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                Message all = c.call(Command.GET_PEER, Fields.empty());
                best = Math.min(best, System.nanoTime() - t0);
                count = all.allNested(FieldNames.PEER).size();
                bytes = new MessageCodec().encodedSize(all);
            }
            if (count != n) {
                throw new IllegalStateException("GET_PEER returned " + count + " peers, expected " + n);
            }
            System.out.printf("get_peer_all_ms %.1f%n", best / 1e6);
            System.out.printf("get_peer_all_bytes %d%n", bytes);
            System.out.printf("rss_mib %d%n", rssMib(pid));
        }
    }

    /** a.b.c.d with b.c.d the low 24 bits of {@code id}: one address per peer. */
    private static InetAddress addr(int first, int id) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
    }

    private static void newKey(ControlClient c, Random random, int id, long slot, int keyId) throws Exception {
        c.call(Command.NEW_KEY, Fields.builder()
                .u64(FieldNames.PEER_ID, id)
                .u64(FieldNames.SLOT, slot)
                .u64(FieldNames.KEY_ID, keyId)
                .string(FieldNames.CIPHER, "AES-256-GCM")
                .nested(FieldNames.ENCRYPT, direction(random))
                .nested(FieldNames.DECRYPT, direction(random))
                .build());
    }

    private static Fields direction(Random random) {
        byte[] key = new byte[32];
        byte[] tail = new byte[8];
        random.nextBytes(key);
        random.nextBytes(tail);
        return Fields.builder().bytes(FieldNames.KEY, key).bytes(FieldNames.NONCE_TAIL, tail).build();
    }

    private static long rssMib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}

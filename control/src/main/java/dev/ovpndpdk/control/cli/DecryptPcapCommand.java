package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.aesni.AeadEngines;
import dev.ovpndpdk.control.LogFormat;
import dev.ovpndpdk.control.pcap.PcapReader;
import dev.ovpndpdk.control.pcap.PcapWriter;
import dev.ovpndpdk.control.pcap.UdpDatagram;
import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AeadScratch;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.DataChannel;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Verdict;
import dev.ovpndpdk.dataplane.proto.Wire;
import dev.ovpndpdk.qat.AsyncEngines;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Decrypts the data channel of a captured OpenVPN session with its key material: a debugging
 * tool for users ("is my tunnel's traffic what I think it is?") and our interop oracle
 * against real OpenVPN (the repository's vectors/). Offline and simple on purpose: one packet at a time
 * through {@link DataChannel#open}, the same codec the workers run, without the replay check
 * (captures hold duplicates and reordering). With {@code --crypto cryptodev|qat} the packets are
 * opened on that engine instead, a burst at a time ({@link OpeningBurst}), and everything after
 * the opening is the same code. See docs/decrypt-pcap.md.
 */
@Command(name = "decrypt-pcap",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        customSynopsis = { // the order a user reads them in; fits 80 columns
                "ovpn-dpdk decrypt-pcap --cipher CIPHER --key-material FILE",
                "                              [--server-port PORT] --in wire.pcap",
                "                              [--out inner.pcap] [--verify-reencrypt]",
                "                              [--crypto auto|aesni|jdk|cryptodev[:DEVARGS]|qat]",
                "                              [-q]",
        },
        description = {
                "Decrypt the OpenVPN data channel (P_DATA_V2) of a captured session with its keys.",
                "",
                "Every UDP datagram to or from the server port whose opcode is P_DATA_V2 counts as a "
                        + "data packet. Its direction comes from the port (from the server port: "
                        + "server->client), its key generation from its key-id. Prints "
                        + "'decrypted N of M data packets' (and with --verify-reencrypt "
                        + "'re-encrypted N of N byte-exact'), and one line per failed packet.",
        },
        footerHeading = "%n",
        footer = {
                "Line n of the key-material file is the session's n-th key: key-id 0, then 1..7, "
                        + "1..7, ... (key-id 0 is never reused). A key-id means the line that last "
                        + "decrypted a packet with it; when that key fails, the other lines with the "
                        + "same key-id are tried, and the one that authenticates takes over.",
                "",
                "Exit status: 0 every data packet decrypted (and re-encrypted byte-exact), "
                        + "1 otherwise or on bad input, 2 usage error.",
        })
public final class DecryptPcapCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(DecryptPcapCommand.class.getName());
    private static final int MAX_FAILURE_LINES = 20;
    /** The largest UDP payload, rounded up: every datagram fits, with no per-packet allocation. */
    private static final int BUFFER = 65536;

    @Option(names = "--cipher", required = true, paramLabel = "CIPHER", converter = CipherConverter.class,
            description = "Data-channel cipher, as OpenVPN names it: AES-128-GCM, AES-192-GCM, "
                    + "AES-256-GCM or CHACHA20-POLY1305.")
    CipherAlg cipher;

    @Option(names = "--key-material", required = true, paramLabel = "FILE",
            description = "The session's 256-byte key blocks (hex or base64), one line per key "
                    + "generation in negotiation order.")
    Path keyFile;

    @Option(names = "--server-port", defaultValue = "1194", paramLabel = "PORT",
            description = "UDP port of the OpenVPN server; decides each packet's direction "
                    + "(default: ${DEFAULT-VALUE}).")
    int serverPort;

    @Option(names = "--in", required = true, paramLabel = "wire.pcap",
            description = "The capture: classic pcap (not pcapng), Ethernet, raw IP, Linux cooked "
                    + "(tcpdump -i any) or loopback.")
    Path in;

    @Option(names = "--out", paramLabel = "inner.pcap",
            description = "Write the decrypted IP packets here (pcap, raw IP, original timestamps). "
                    + "Keepalive pings and OCC exit messages count as decrypted but are not "
                    + "written: they are not IP packets.")
    Path out;

    @Option(names = "--verify-reencrypt",
            description = "Encrypt every plaintext again with its key, peer-id and packet-id and "
                    + "compare with the captured bytes.")
    boolean verifyReencrypt;

    @Option(names = "--crypto", defaultValue = "auto", paramLabel = "auto|aesni|jdk|cryptodev[:DEVARGS]|qat",
            description = "AEAD engine: auto (intel-ipsec-mb when present, else the JDK; never an "
                    + "offload), aesni, jdk, or an asynchronous one as the daemon takes it: "
                    + "cryptodev:DEVARGS (a DPDK crypto device or vdev, e.g. crypto_aesni_gcm0; bare: "
                    + "crypto_aesni_mb0) or qat (qatlib). With an asynchronous engine every data packet "
                    + "is opened on it, 32 in flight; --verify-reencrypt seals again in software "
                    + "(intel-ipsec-mb, else the JDK). Default: ${DEFAULT-VALUE}.")
    String crypto;

    @Option(names = {"-q", "--quiet"}, description = "Log only warnings and errors.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    /** The two directions, and which role's keys decrypt (receiver) and seal (sender) each. */
    private enum Direction {
        CLIENT_TO_SERVER("client->server", Role.SERVER, Role.CLIENT),
        SERVER_TO_CLIENT("server->client", Role.CLIENT, Role.SERVER);

        final String label;
        final Role receiver;
        final Role sender;

        Direction(String label, Role receiver, Role sender) {
            this.label = label;
            this.receiver = receiver;
            this.sender = sender;
        }
    }

    // The run's state: the command object is used once.
    private PrintWriter stdout;
    private KeyGenerations keys;
    private AeadScratch scratch;
    private MemorySegment buf;
    private PcapWriter writer;
    /** The asynchronous engine's packets in flight, with what the capture says about each; null: software. */
    private OpeningBurst inFlight;
    private final List<Waiting> waiting = new ArrayList<>();
    private int udpOnPort;
    private int dataV1;
    private int dataPackets;
    private int decrypted;
    private int notWritten;
    private int reencrypted;
    private int failures;

    @Override
    public Integer call() throws IOException {
        if (quiet) {
            LogFormat.setLevel(Level.WARNING);
        }
        if (serverPort < 1 || serverPort > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--server-port must be 1..65535, got " + serverPort);
        }
        stdout = spec.commandLine().getOut();
        List<KeyMaterial> material = readKeyMaterial(keyFile);
        // The capture's header is checked before the engine is chosen, so bad input fails first.
        try (PcapReader reader = PcapReader.open(in)) {
            AsyncEngines.Choice choice = AsyncEngines.Choice.parse(crypto);
            AeadEngine engine = AeadEngines.select(choice.software());
            if (!engine.supports(cipher)) {
                throw new IllegalArgumentException("--crypto " + engine.name() + " does not support " + cipher);
            }
            // Resources close in reverse: the burst drains before the sessions go, the engine last.
            try (AsyncAeadEngine offload = openOffload(choice);
                 KeyGenerations k = new KeyGenerations(material, engine, offload, cipher);
                 OpeningBurst b = offload == null ? null : new OpeningBurst(offload, k);
                 AeadScratch s = engine.newScratch();
                 Arena arena = Arena.ofConfined();
                 PcapWriter w = out == null ? null : PcapWriter.create(out, reader.nanosecond())) {
                keys = k;
                inFlight = b;
                scratch = s;
                buf = arena.allocate(BUFFER, 64); // native: intel-ipsec-mb works on off-heap memory
                writer = w;
                for (UdpDatagram d = reader.nextUdp(); d != null; d = reader.nextUdp()) {
                    onDatagram(d);
                }
                settleInFlight();
                return summary(reader);
            }
        } finally {
            material.forEach(KeyMaterial::close); // idempotent; covers a failure before KeyGenerations owned them
            stdout.flush();
        }
    }

    /**
     * The asynchronous engine {@code --crypto} names, with one queue, or null. {@code auto} stays
     * in software here, unlike the daemon's: this is the interop oracle, and an offload is a
     * second implementation to check against it, asked for by name.
     */
    private AsyncAeadEngine openOffload(AsyncEngines.Choice choice) {
        if (choice.offload() == AsyncEngines.Offload.NONE || choice.offload() == AsyncEngines.Offload.AUTO) {
            return null;
        }
        // Packets are copied into plain native memory, not mbufs: a hardware cryptodev is refused with the reason.
        AsyncAeadEngine e = AsyncEngines.open(choice, 1, false);
        if (!e.supports(cipher)) {
            String what = e.describe();
            e.close();
            throw new IllegalArgumentException("--crypto " + crypto + " does not support " + cipher + " (" + what + ")");
        }
        LOG.info(() -> "crypto offload: " + e.describe() + "; " + OpeningBurst.SIZE + " packets in flight");
        return e;
    }

    private static List<KeyMaterial> readKeyMaterial(Path file) throws IOException {
        try {
            return KeyMaterial.readAll(file);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not a text file (expected 256-byte key "
                    + "blocks in hex or base64, one per line)");
        }
    }

    private void onDatagram(UdpDatagram d) throws IOException {
        boolean toServer = d.dstPort() == serverPort;
        boolean fromServer = d.srcPort() == serverPort;
        if (!toServer && !fromServer) {
            return;
        }
        udpOnPort++;
        byte[] p = d.payload();
        int opcode = p.length == 0 ? -1 : (p[0] & 0xFF) >>> Wire.OPCODE_SHIFT;
        if (opcode != Wire.P_DATA_V2) {
            dataV1 += opcode == Wire.P_DATA_V1 ? 1 : 0;
            return; // control channel, acks, resets: not ours to decrypt
        }
        int number = ++dataPackets;
        // Both ports equal (peer-to-peer setups often use 1194 on both ends): try both ways.
        Direction[] dirs = toServer && fromServer ? Direction.values()
                : new Direction[] {toServer ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT};
        int keyId = p[0] & Wire.KEY_ID_MASK;
        if (inFlight != null) {
            if (!d.truncated() && p.length <= BUFFER && p.length >= Wire.DATA_V2_MIN_LENGTH
                    && keys.candidates(keyId).length > 0) {
                toEngine(new Waiting(number, d, dirs, keyId));
                return;
            }
            settleInFlight(); // the packets before this one first: it fails below, before any crypto
        }
        if (d.truncated()) {
            fail(number, d, dirs, keyId, p, "truncated in the capture (snapshot length or IP fragment), not tried");
            return;
        }
        if (p.length > buf.byteSize()) {
            fail(number, d, dirs, keyId, p, Verdict.MALFORMED.counterName() + " (larger than any UDP datagram)");
            return;
        }
        int[] lines = keys.candidates(keyId);
        if (lines.length == 0) {
            fail(number, d, dirs, keyId, p, Verdict.UNKNOWN_KEY.counterName() + " (" + keyFile + " has "
                    + keys.lineCount() + " line(s), none for key-id " + keyId + ")");
            return;
        }
        Verdict v = Verdict.AUTH_FAILED;
        Direction dir = dirs[0];
        int line = lines[0];
        search:
        for (Direction dd : dirs) {
            for (int l : lines) {
                MemorySegment.copy(p, 0, buf, ValueLayout.JAVA_BYTE, 0, p.length);
                v = DataChannel.open(keys.slot(l, dd.receiver), scratch, buf, 0, p.length);
                dir = dd;
                line = l;
                if (v != Verdict.AUTH_FAILED) {
                    break search; // authentic, or bad in a way no other key changes
                }
            }
        }
        afterOpen(number, d, dirs, keyId, lines, v, dir, line, buf);
    }

    /**
     * What becomes of a data packet once its key search ended with {@code v} on {@code line} in
     * direction {@code dir}: counted, written, re-encrypted, or a failure line. {@code packet}
     * holds it as {@link DataChannel#open} left it (the plaintext at byte 24 when authentic).
     */
    private void afterOpen(int number, UdpDatagram d, Direction[] dirs, int keyId, int[] lines, Verdict v,
                           Direction dir, int line, MemorySegment packet) throws IOException {
        byte[] p = d.payload();
        Direction[] found = {dir};
        switch (v) {
            case OK, PING, OCC_EXIT -> keys.authenticated(line);
            case NOT_IP -> {
                keys.authenticated(line);
                fail(number, d, found, keyId, p, String.format("%s (authentic, but the plaintext is neither "
                        + "IP nor a ping; first byte 0x%02x: compression framing?)", v.counterName(),
                        packet.get(ValueLayout.JAVA_BYTE, Wire.CIPHERTEXT_OFFSET)));
                return;
            }
            case AUTH_FAILED -> {
                fail(number, d, dirs, keyId, p, v.counterName() + " (tried key line"
                        + (lines.length > 1 ? "s " : " ")
                        + Arrays.stream(lines).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")");
                return;
            }
            default -> {
                fail(number, d, found, keyId, p, v.counterName());
                return;
            }
        }
        decrypted++;
        int plaintextLength = p.length - Wire.CIPHERTEXT_OFFSET;
        if (v != Verdict.OK) {
            notWritten++;
        } else if (writer != null) {
            byte[] plain = packet.asSlice(Wire.CIPHERTEXT_OFFSET, plaintextLength).toArray(ValueLayout.JAVA_BYTE);
            writer.write(d.seconds(), d.nanos(), plain, 0, plain.length);
        }
        if (verifyReencrypt) {
            reencrypt(number, d, dir, line, keyId, p, plaintextLength, packet);
        }
    }

    /**
     * Seals the plaintext in {@code packet} as the sender did, with the software engine whichever
     * engine opened it, and compares with the capture.
     */
    private void reencrypt(int number, UdpDatagram d, Direction dir, int line, int keyId, byte[] p, int plaintextLength,
                           MemorySegment packet) {
        // open() leaves the header in place: peer-id and packet-id are the captured ones.
        Verdict v = DataChannel.seal(keys.slot(line, dir.sender), DataChannel.peerId(packet, 0),
                DataChannel.packetId(packet, 0), scratch, packet, 0, plaintextLength);
        if (v != Verdict.OK) {
            fail(number, d, new Direction[] {dir}, keyId, p, "re-encryption failed: " + v.counterName());
            return;
        }
        long at = packet.asSlice(0, p.length).mismatch(MemorySegment.ofArray(p));
        if (at == -1) {
            reencrypted++;
        } else {
            fail(number, d, new Direction[] {dir}, keyId, p,
                    "re-encrypted bytes differ from the capture at byte " + at);
        }
    }

    /** A data packet on its way through the asynchronous engine: what the capture said about it. */
    private record Waiting(int number, UdpDatagram d, Direction[] dirs, int keyId) {
    }

    /** Adds the packet to the burst with its first candidate, the one the synchronous search tries first. */
    private void toEngine(Waiting w) throws IOException {
        inFlight.add(w.d().payload(), keys.candidates(w.keyId())[0], w.dirs()[0].receiver);
        waiting.add(w);
        if (inFlight.isFull()) {
            settleInFlight();
        }
    }

    /**
     * Completes the burst, then ends each packet's key search in capture order — the search of
     * {@link #onDatagram}, with the engine opening: {@link OpeningBurst#open} reuses the first try
     * when it is still the first candidate, so the usual packet costs one request.
     */
    private void settleInFlight() throws IOException {
        if (inFlight == null || inFlight.size() == 0) {
            return;
        }
        inFlight.complete();
        for (int i = 0; i < waiting.size(); i++) {
            Waiting w = waiting.get(i);
            int[] lines = keys.candidates(w.keyId()); // now: the packets before it may have moved its key-id
            Verdict v = Verdict.AUTH_FAILED;
            Direction dir = w.dirs()[0];
            int line = lines[0];
            search:
            for (Direction dd : w.dirs()) {
                for (int l : lines) {
                    v = inFlight.open(i, l, dd.receiver);
                    dir = dd;
                    line = l;
                    if (v != Verdict.AUTH_FAILED) {
                        break search;
                    }
                }
            }
            afterOpen(w.number(), w.d(), w.dirs(), w.keyId(), lines, v, dir, line, inFlight.packet(i));
        }
        waiting.clear();
        inFlight.clear();
    }

    private void fail(int number, UdpDatagram d, Direction[] dirs, int keyId, byte[] p, String why) {
        if (++failures > MAX_FAILURE_LINES) {
            return;
        }
        String dir = dirs.length == 1 ? dirs[0].label : "direction unknown (both ports " + serverPort + ")";
        String packetId = p.length >= Wire.PACKET_ID_OFFSET + 4
                ? Long.toString(DataChannel.packetId(MemorySegment.ofArray(p), 0)) : "-";
        stdout.println("data packet " + number + " (frame " + d.frame() + "): " + dir + " key-id " + keyId
                + " packet-id " + packetId + ": " + why);
    }

    private int summary(PcapReader reader) {
        if (failures > MAX_FAILURE_LINES) {
            stdout.println("... " + (failures - MAX_FAILURE_LINES) + " more");
        }
        stdout.println("decrypted " + decrypted + " of " + dataPackets + " data packets");
        if (verifyReencrypt) {
            stdout.println("re-encrypted " + reencrypted + " of " + decrypted + " byte-exact");
        }
        stdout.flush();
        LOG.info(() -> in.getFileName() + ": " + reader.frames() + " frames, " + udpOnPort
                + " UDP datagrams on port " + serverPort + ", " + dataPackets + " P_DATA_V2"
                + (writer != null ? "; wrote " + writer.records() + " IP packets to " + out : "")
                + (notWritten > 0 ? " (" + notWritten + " pings/exit messages not written)" : ""));
        if (dataV1 > 0) {
            LOG.warning(dataV1 + " P_DATA_V1 packets not counted: data channel offload carries only P_DATA_V2");
        }
        if (dataPackets == 0) {
            // "0 of 0" would pass vacuously; with a wrong --server-port that hides the mistake.
            PrintWriter err = spec.commandLine().getErr();
            err.println("ovpn-dpdk: no P_DATA_V2 packets to or from UDP port " + serverPort + " in " + in
                    + " (" + udpOnPort + " other datagrams on that port; check --server-port)");
            err.flush();
            return 1;
        }
        boolean ok = decrypted == dataPackets && (!verifyReencrypt || reencrypted == decrypted);
        return ok ? 0 : 1;
    }

    /** Turns a bad cipher name into a usage error that lists the valid ones. */
    static final class CipherConverter implements CommandLine.ITypeConverter<CipherAlg> {
        @Override
        public CipherAlg convert(String value) {
            try {
                return CipherAlg.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}

package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldException;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;

import java.io.IOException;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ovpn-dpdk ping}: is the daemon there, which release, which ciphers, what it serves (PING). Scripts
 * wait for a daemon to come up with it: it fails until the control socket answers.
 */
@picocli.CommandLine.Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Check that the daemon answers; show its version, ciphers, peer count, mode, tunnel, backend, address and features.")
public final class PingCommand extends ControlCommand {
    @Mixin
    ControlSocketOption control;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    void run(ControlClient client) throws IOException {
        Message reply = client.call(Command.PING, Fields.empty());
        if (json) {
            out().println(Json.object().putAll(results(reply), java.util.Set.of(FieldNames.CIPHER, FieldNames.FEATURE)));
            return;
        }
        try {
            out().println("ovpn-dpdk " + reply.optString(FieldNames.DAEMON_VERSION).orElse("?")
                    + " at " + client.path() + ": protocol " + reply.optU64(FieldNames.PROTOCOL_VERSION).orElse(0)
                    + ", " + reply.optU64(FieldNames.PEER_COUNT).orElse(0) + " peers, ciphers "
                    + String.join(" ", reply.fields().allStrings(FieldNames.CIPHER)) + served(reply.fields()));
        } catch (FieldException e) {
            throw new IOException("bad reply from the daemon: " + e.getMessage(), e);
        }
    }

    /**
     * "; mp mode, tun0, socket backend, udp 10.0.0.1:1194, features attach peer_float; crypto aesni (…)"
     * (older daemons: "").
     */
    private static String served(Fields f) throws FieldException {
        if (!f.has(FieldNames.MODE)) {
            return "";
        }
        return "; " + f.string(FieldNames.MODE) + " mode, " + f.string(FieldNames.TUN)
                + (f.has(FieldNames.TUN_MTU) ? " (mtu " + f.u64(FieldNames.TUN_MTU) + ")" : "")
                + ", " + f.string(FieldNames.BACKEND) + " backend, udp " + Text.compact(f.nested(FieldNames.LISTEN))
                + ", features " + String.join(" ", f.allStrings(FieldNames.FEATURE))
                + (f.has(FieldNames.CRYPTO) ? "; crypto " + f.string(FieldNames.CRYPTO)
                        + (f.has(FieldNames.CRYPTO_ENGINE) ? " (" + f.string(FieldNames.CRYPTO_ENGINE) + ")" : "") : "");
    }
}

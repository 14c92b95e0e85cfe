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
 * {@code ovpn-dpdk ping}: is the daemon there, which release, which ciphers (PING). Scripts
 * wait for a daemon to come up with it: it fails until the control socket answers.
 */
@picocli.CommandLine.Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Check that the daemon answers; show its version, ciphers and peer count.")
public final class PingCommand extends ControlCommand {
    @Mixin
    ControlSocketOption control;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    void run(ControlClient client) throws IOException {
        Message reply = client.call(Command.PING, Fields.empty());
        if (json) {
            out().println(Json.object().putAll(results(reply), java.util.Set.of(FieldNames.CIPHER)));
            return;
        }
        try {
            out().println("ovpn-dpdk " + reply.optString(FieldNames.DAEMON_VERSION).orElse("?")
                    + " at " + client.path() + ": protocol " + reply.optU64(FieldNames.PROTOCOL_VERSION).orElse(0)
                    + ", " + reply.optU64(FieldNames.PEER_COUNT).orElse(0) + " peers, ciphers "
                    + String.join(" ", reply.fields().allStrings(FieldNames.CIPHER)));
        } catch (FieldException e) {
            throw new IOException("bad reply from the daemon: " + e.getMessage(), e);
        }
    }
}

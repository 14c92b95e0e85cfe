package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.Fields;

import java.io.IOException;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ovpn-dpdk stats}: the daemon-wide counters and drop counters (GET_STATS). */
@picocli.CommandLine.Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show the daemon's counters: peers, traffic on both sides, drops by reason.")
public final class StatsCommand extends ControlCommand {
    @Mixin
    ControlSocketOption control;

    @Option(names = "--json", description = "One JSON object, every counter by its protocol name.")
    boolean json;

    @Override
    void run(ControlClient client) throws IOException {
        Fields f = results(client.call(Command.GET_STATS, Fields.empty()));
        out().println(json ? Json.object().putAll(f).toString() : Text.stats(f));
    }
}

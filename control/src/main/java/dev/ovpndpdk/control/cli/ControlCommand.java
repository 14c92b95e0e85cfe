package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.client.ControlPaths;
import dev.ovpndpdk.control.protocol.Field;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * What every command that talks to a daemon shares: finding its socket ({@code --control}
 * given anywhere on the command line, else the only one in /run/ovpn-dpdk) and connecting.
 * A refusal from the daemon is an IOException, which the command line prints as
 * {@code ovpn-dpdk: <the daemon's message>} with exit status 1.
 */
abstract class ControlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The innermost {@code --control} that was given, or the discovered socket. */
    Path controlPath() throws IOException {
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            OptionSpec o = s.findOption("--control");
            if (o != null && o.getValue() != null) {
                return o.getValue();
            }
        }
        return ControlPaths.discover();
    }

    ControlClient connect() throws IOException {
        return ControlClient.connect(controlPath());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public final Integer call() throws IOException {
        try (ControlClient client = connect()) {
            run(client);
        }
        out().flush();
        return 0;
    }

    abstract void run(ControlClient client) throws IOException;

    /** A reply's result fields, without the leading {@code error}. */
    static Fields results(Message reply) {
        Fields.Builder b = Fields.builder();
        for (Field f : reply.fields()) {
            if (!f.name().equals(FieldNames.ERROR)) {
                b.add(f);
            }
        }
        return b.build();
    }
}

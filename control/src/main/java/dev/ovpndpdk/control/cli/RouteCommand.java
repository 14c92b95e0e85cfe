package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.PrefixField;

import java.io.IOException;
import java.net.InetAddress;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ovpn-dpdk route add|del --peer N PREFIX}: an iroute, a network behind a peer
 * (OpenVPN's {@code iroute}, installed with {@code dco_install_iroute}); mp mode only.
 */
@picocli.CommandLine.Command(name = "route",
        description = "Add or remove an iroute: a prefix that lives behind a peer (mp mode).",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "add|del",
        subcommands = {RouteCommand.Add.class, RouteCommand.Del.class})
public final class RouteCommand implements Runnable {
    @Mixin
    ControlSocketOption control;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add or del");
    }

    /**
     * {@code 10.1.0.0/16}, {@code fd00:1::/64}; a bare address is a host route. Host bits must be
     * zero, as {@code ip route} insists, so that del finds what add added.
     */
    static final class PrefixConverter implements ITypeConverter<PrefixField> {
        @Override
        public PrefixField convert(String s) {
            String t = s.trim();
            int slash = t.indexOf('/');
            InetAddress ip = HostPort.ip(slash < 0 ? t : t.substring(0, slash));
            int max = ip.getAddress().length * 8;
            int len;
            try {
                len = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + s + "'");
            }
            return new PrefixField(ip, len);
        }
    }

    @picocli.CommandLine.Command(name = "add", mixinStandardHelpOptions = true,
            description = "Route PREFIX to a peer (ADD_ROUTE).")
    static final class Add extends ControlCommand {
        @Option(names = "--peer", required = true, paramLabel = "N", description = "The peer behind which PREFIX lives.")
        int peer;

        @Parameters(paramLabel = "PREFIX", converter = PrefixConverter.class, description = "e.g. 10.1.0.0/16")
        PrefixField prefix;

        @Override
        void run(ControlClient client) throws IOException {
            client.call(Command.ADD_ROUTE, Fields.builder()
                    .u64(FieldNames.PEER_ID, peer).add(prefix.toField(FieldNames.PREFIX)).build());
        }
    }

    @picocli.CommandLine.Command(name = "del", mixinStandardHelpOptions = true,
            description = "Remove the route for PREFIX (DEL_ROUTE); with --peer only if it goes to that peer.")
    static final class Del extends ControlCommand {
        @Option(names = "--peer", paramLabel = "N", description = "Only if PREFIX is routed to this peer.")
        Integer peer;

        @Parameters(paramLabel = "PREFIX", converter = PrefixConverter.class, description = "e.g. 10.1.0.0/16")
        PrefixField prefix;

        @Override
        void run(ControlClient client) throws IOException {
            Fields.Builder f = Fields.builder().add(prefix.toField(FieldNames.PREFIX));
            if (peer != null) {
                f.u64(FieldNames.PEER_ID, peer);
            }
            client.call(Command.DEL_ROUTE, f.build());
        }
    }
}

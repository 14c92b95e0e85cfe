package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.client.ControlClient;
import dev.ovpndpdk.control.daemon.PeerFields;
import dev.ovpndpdk.control.protocol.Command;
import dev.ovpndpdk.control.protocol.FieldNames;
import dev.ovpndpdk.control.protocol.Fields;
import dev.ovpndpdk.control.protocol.Message;
import dev.ovpndpdk.control.protocol.SockAddrField;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ovpn-dpdk peer new|set|del|get}: NEW_PEER, SET_PEER, DEL_PEER and GET_PEER
 * (docs/control-protocol.md), in the spirit of Linux's {@code ovpn-cli new_peer / set_peer /
 * del_peer / get_peer} (spec §5.11), so a tunnel runs with no OpenVPN process at all.
 */
@picocli.CommandLine.Command(name = "peer",
        description = "Add, change, remove or show peers.",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "new|set|del|get",
        subcommands = {PeerCommand.New.class, PeerCommand.Set.class, PeerCommand.Del.class, PeerCommand.Get.class})
public final class PeerCommand implements Runnable {
    @Mixin
    ControlSocketOption control;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: new, set, del or get");
    }

    @picocli.CommandLine.Command(name = "new", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Install a peer (NEW_PEER).",
                    "Without --socket-fd the peer uses the daemon's own UDP port: a tunnel with static keys "
                            + "and no OpenVPN process."})
    static final class New extends ControlCommand {
        @Option(names = "--id", required = true, paramLabel = "N",
                description = "The peer-id the peer puts in its packets (0..16777214).")
        int id;

        @Option(names = "--remote", required = true, paramLabel = "ADDR:PORT", converter = HostPort.class,
                description = "The peer's UDP address, e.g. 10.0.0.2:1194 or [fd00::2]:1194.")
        InetSocketAddress remote;

        @Option(names = "--vpn-ipv4", paramLabel = "A", converter = HostPort.Ipv4.class,
                description = "The peer's IPv4 address inside the tunnel (mp mode).")
        Inet4Address vpn4;

        @Option(names = "--vpn-ipv6", paramLabel = "A", converter = HostPort.Ipv6.class,
                description = "The peer's IPv6 address inside the tunnel (mp mode).")
        Inet6Address vpn6;

        @Option(names = "--tx-id", paramLabel = "N",
                description = "The peer-id to put in packets to the peer (default: --id).")
        Integer txId;

        @Option(names = "--socket-fd", paramLabel = "FD",
                description = "Hand this inherited UDP socket over to the daemon, as OpenVPN does: it must "
                        + "share the daemon's port (SO_REUSEPORT set before bind, same user).")
        Integer socketFd;

        @Option(names = "--keepalive", paramLabel = "SEC/SEC",
                description = "Keepalive interval and timeout right away, e.g. 10/60 (else peer set).")
        String keepalive;

        @Override
        void run(ControlClient client) throws IOException {
            Fields.Builder f = Fields.builder()
                    .u64(FieldNames.PEER_ID, id)
                    .add(SockAddrField.field(FieldNames.REMOTE, remote));
            if (txId != null) {
                f.u64(PeerFields.TX_ID, txId);
            }
            if (vpn4 != null) {
                f.bytes(FieldNames.VPN_IPV4, vpn4.getAddress());
            }
            if (vpn6 != null) {
                f.bytes(FieldNames.VPN_IPV6, vpn6.getAddress());
            }
            if (keepalive != null) {
                String[] it = keepalive.split("/");
                try {
                    if (it.length != 2) {
                        throw new NumberFormatException();
                    }
                    f.u64(FieldNames.KEEPALIVE_INTERVAL, Long.parseLong(it[0].trim()))
                            .u64(FieldNames.KEEPALIVE_TIMEOUT, Long.parseLong(it[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--keepalive takes INTERVAL/TIMEOUT in seconds, e.g. 10/60");
                }
            }
            if (socketFd != null) {
                f.u64(FieldNames.SOCKET, 0); // index among the descriptors passed, not the number
            }
            client.call(Command.NEW_PEER, f.build(), socketFd != null ? socketFd : -1);
        }
    }

    @picocli.CommandLine.Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Set a peer's keepalive (SET_PEER); 0 and 0 turn it off.")
    static final class Set extends ControlCommand {
        @Option(names = "--id", required = true, paramLabel = "N", description = "The peer.")
        int id;

        @Option(names = "--keepalive-interval", required = true, paramLabel = "SEC",
                description = "Send a keepalive ping after this long without sending (0: never).")
        long interval;

        @Option(names = "--keepalive-timeout", required = true, paramLabel = "SEC",
                description = "Remove the peer (reason expired) after this long without receiving (0: never).")
        long timeout;

        @Override
        void run(ControlClient client) throws IOException {
            client.call(Command.SET_PEER, Fields.builder()
                    .u64(FieldNames.PEER_ID, id)
                    .u64(FieldNames.KEEPALIVE_INTERVAL, interval)
                    .u64(FieldNames.KEEPALIVE_TIMEOUT, timeout)
                    .build());
        }
    }

    @picocli.CommandLine.Command(name = "del", mixinStandardHelpOptions = true,
            description = "Remove a peer with its keys and routes (DEL_PEER; subscribers hear reason userspace).")
    static final class Del extends ControlCommand {
        @Option(names = "--id", required = true, paramLabel = "N", description = "The peer.")
        int id;

        @Override
        void run(ControlClient client) throws IOException {
            client.call(Command.DEL_PEER, Fields.builder().u64(FieldNames.PEER_ID, id).build());
        }
    }

    @picocli.CommandLine.Command(name = "get", mixinStandardHelpOptions = true,
            description = "Show one peer or all, with counters (GET_PEER): one line per peer.")
    static final class Get extends ControlCommand {
        @Option(names = "--id", paramLabel = "N", description = "Only this peer (default: all).")
        Integer id;

        @Option(names = "--json", description = "One JSON object per peer, fields named as in the protocol.")
        boolean json;

        @Override
        void run(ControlClient client) throws IOException {
            Fields request = id == null ? Fields.empty() : Fields.builder().u64(FieldNames.PEER_ID, id).build();
            Message reply = client.call(Command.GET_PEER, request);
            try {
                for (Fields p : reply.allNested(FieldNames.PEER)) {
                    out().println(json ? Json.object().putAll(p).toString() : Text.peer(p));
                }
            } catch (dev.ovpndpdk.control.protocol.FieldException e) {
                throw new IOException("bad reply from the daemon: " + e.getMessage(), e);
            }
        }
    }
}

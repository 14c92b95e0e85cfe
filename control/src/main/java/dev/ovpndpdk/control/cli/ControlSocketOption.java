package dev.ovpndpdk.control.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --control PATH}, the daemon's control socket, for a command that talks to the daemon
 * and all its subcommands (inherited, so {@code peer get --control X} and
 * {@code peer --control X get} both work). {@code ovpn-dpdk --control X peer get} sets the
 * top command's option of the same name; {@link ControlCommand#controlPath} looks at both.
 */
public final class ControlSocketOption {
    @Option(names = "--control", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "The daemon's control socket (default: the only *.sock in /run/ovpn-dpdk).")
    Path path;
}

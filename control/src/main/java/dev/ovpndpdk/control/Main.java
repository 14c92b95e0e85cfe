package dev.ovpndpdk.control;

import dev.ovpndpdk.control.cli.BatchCommand;
import dev.ovpndpdk.control.cli.DaemonCommand;
import dev.ovpndpdk.control.cli.DecryptPcapCommand;
import dev.ovpndpdk.control.cli.EventsCommand;
import dev.ovpndpdk.control.cli.KeyCommand;
import dev.ovpndpdk.control.cli.PeerCommand;
import dev.ovpndpdk.control.cli.PingCommand;
import dev.ovpndpdk.control.cli.RouteCommand;
import dev.ovpndpdk.control.cli.StatsCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code ovpn-dpdk} command line. Each subcommand is one class under {@code cli/}; adding
 * one (daemon, peer, key, route, stats, events, batch) is one entry in {@code subcommands} below.
 *
 * <p>Exit status, the same for every subcommand: 0 success, 1 the command ran and failed
 * (bad input file, I/O error, or a check it performs did not pass), 2 a usage error.
 * Failures are one line on stderr, {@code ovpn-dpdk: <what went wrong>}; a stack trace is
 * printed only for what can only be a bug (an unexpected runtime exception).
 */
@Command(name = "ovpn-dpdk",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "OpenVPN data channel offload on DPDK: daemon, control commands and tools.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'ovpn-dpdk COMMAND --help' for a command's options."},
        subcommands = {
                CommandLine.HelpCommand.class,
                DaemonCommand.class,
                PeerCommand.class,
                KeyCommand.class,
                RouteCommand.class,
                StatsCommand.class,
                EventsCommand.class,
                PingCommand.class,
                BatchCommand.class,
                DecryptPcapCommand.class,
        })
public final class Main implements Runnable {
    public static final String NAME = "ovpn-dpdk";

    @Spec
    CommandSpec spec;

    /**
     * {@code ovpn-dpdk --control PATH peer get}: the control commands also take it after their
     * name, where their help shows it; hidden here to keep the top synopsis short.
     */
    @Option(names = "--control", paramLabel = "PATH", hidden = true)
    java.nio.file.Path control;

    /** Without a command there is nothing to do: a usage error, like git or ip. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        LogFormat.install();
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out/err. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::commandFailed);
        return cl;
    }

    /** A usage error: the message and where to read more, not the whole help page. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(NAME + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    private static int commandFailed(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        String msg = describe(ex);
        if (msg == null) {
            throw ex; // not an input or I/O problem: a bug, keep the stack trace
        }
        cl.getErr().println(NAME + ": " + msg);
        cl.getErr().flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** One line for an input/I/O failure, or null for exceptions that indicate a bug. */
    static String describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u) {
            ex = u.getCause();
        }
        if (ex instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file";
        }
        if (ex instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (ex instanceof FileSystemException f) {
            return f.getMessage(); // names the file and the reason already
        }
        if (ex instanceof IOException || ex instanceof IllegalArgumentException) {
            String m = ex.getMessage();
            return m != null && !m.isBlank() ? m.strip() : ex.getClass().getSimpleName();
        }
        return null;
    }

    /** The version from the jar's Maven descriptor; "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = null;
            try (InputStream in = Main.class.getResourceAsStream(
                    "/META-INF/maven/dev.ovpndpdk/ovpn-dpdk-control/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    v = p.getProperty("version");
                }
            } catch (IOException e) {
                // fall through to the placeholder: --version must never fail
            }
            return new String[] {NAME + " " + (v != null ? v : "(development build)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}

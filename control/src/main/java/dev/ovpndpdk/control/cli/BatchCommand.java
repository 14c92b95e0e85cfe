package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.control.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ovpn-dpdk batch [FILE]}: many control commands in one process, one per line, as
 * {@code ip -batch} does. Each command is a JVM start otherwise (about half a second), so a
 * script that installs a thousand peers, or churns them, takes minutes; in one process it
 * takes as long as the daemon does. Every line runs exactly as {@code ovpn-dpdk LINE} would,
 * against the batch's {@code --control} unless the line names its own.
 */
@picocli.CommandLine.Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Run control commands, one per line, from FILE (or standard input: -), in one process.",
                "A line is what follows 'ovpn-dpdk' on a command line: words split at blanks, \"double\" or",
                "'single' quotes group, # starts a comment. 'daemon' and 'batch' itself cannot be run this way.",
                "Stops at the first command that fails (exit 1, naming the line) unless --force is given."})
public final class BatchCommand implements Callable<Integer> {
    @Mixin
    ControlSocketOption control;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
            description = "The commands (default: standard input).")
    String file;

    @Option(names = "--force", description = "Run every line; exit 1 at the end if any failed.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path socket = controlPath();
        int failed = 0;
        int number = 0;
        // One command line for every line: building picocli's model costs more than most commands.
        CommandLine cl = Main.newCommandLine();
        cl.setOut(out);
        cl.setErr(err);
        try (BufferedReader in = "-".equals(file)
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                List<String> words;
                try {
                    words = words(line);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "line " + number + ": " + e.getMessage());
                }
                if (words.isEmpty()) {
                    continue;
                }
                if (words.getFirst().equals("daemon") || words.getFirst().equals("batch")) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "line " + number + ": '" + words.getFirst() + "' cannot run in a batch");
                }
                List<String> args = new ArrayList<>();
                if (socket != null) {
                    args.add("--control");
                    args.add(socket.toString());
                }
                args.addAll(words);
                if (cl.execute(args.toArray(String[]::new)) != 0) {
                    failed++;
                    err.println(Main.NAME + ": batch line " + number + " failed: " + line.strip());
                    err.flush();
                    if (!force) {
                        return CommandLine.ExitCode.SOFTWARE;
                    }
                }
            }
        }
        out.flush();
        return failed == 0 ? 0 : CommandLine.ExitCode.SOFTWARE;
    }

    /** The batch's own {@code --control}, else the top command's, else null (each line discovers it). */
    private Path controlPath() {
        for (CommandLine.Model.CommandSpec s = spec; s != null; s = s.parent()) {
            CommandLine.Model.OptionSpec o = s.findOption("--control");
            if (o != null && o.getValue() != null) {
                return o.getValue();
            }
        }
        return null;
    }

    /** A line's words: split at blanks, quotes group, {@code #} outside quotes ends the line. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                w = w == null ? new StringBuilder() : w;
            } else if (ch == '#') {
                break;
            } else if (Character.isWhitespace(ch)) {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
            } else {
                w = w == null ? new StringBuilder() : w;
                w.append(ch);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote in: " + line.strip());
        }
        if (w != null) {
            words.add(w.toString());
        }
        return words;
    }
}

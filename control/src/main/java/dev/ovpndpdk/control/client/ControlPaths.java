package dev.ovpndpdk.control.client;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where control sockets live: one per daemon, {@code /run/ovpn-dpdk/<tun>.sock}
 * (docs/control-protocol.md, "Transport"). A client that is not told which daemon to talk to
 * takes the only socket in that directory, as {@code ip} takes the only namespace it knows.
 */
public final class ControlPaths {
    /** The directory daemons put their sockets in by default; created 0700 by the daemon. */
    public static final Path DIRECTORY = Path.of("/run/ovpn-dpdk");
    public static final String SUFFIX = ".sock";

    private ControlPaths() {
    }

    /** The default socket of the daemon that owns tunnel interface {@code tun}. */
    public static Path forTunnel(String tun) {
        return DIRECTORY.resolve(tun + SUFFIX);
    }

    /** {@link #discover(Path)} in {@link #DIRECTORY}. */
    public static Path discover() throws IOException {
        return discover(DIRECTORY);
    }

    /**
     * The one {@code *.sock} in {@code dir}.
     *
     * @throws IOException "no daemon running (no socket in DIR)" or "several daemons running
     *         (a.sock, b.sock): choose one with --control"
     */
    public static Path discover(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            s.forEach(found::add);
        } catch (NoSuchFileException e) {
            // no directory: no daemon ever ran here
        }
        if (found.isEmpty()) {
            throw new IOException("no daemon running (no socket in " + dir + ")");
        }
        if (found.size() > 1) {
            List<String> names = new ArrayList<>();
            found.forEach(p -> names.add(p.getFileName().toString()));
            Collections.sort(names);
            throw new IOException("several daemons running (" + String.join(", ", names)
                    + " in " + dir + "): choose one with --control");
        }
        return found.get(0);
    }
}

package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.Errno;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.Fd;
import dev.ovpndpdk.bindings.libc.Sockets;
import dev.ovpndpdk.bindings.libc.UnixSockets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Makes the control socket's path ready to bind: its directory exists (created 0700, so only
 * the daemon's user can even reach the socket), and whatever is at the path is a stale socket
 * of a daemon that died — removed — and not the socket of one that is alive, which makes
 * this daemon refuse to start: two daemons would fight over one tunnel interface.
 */
final class ControlSocketFile {
    private static final Logger LOG = Logger.getLogger(ControlSocketFile.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** st_mode's file-type bits, and their value for a socket (S_IFMT, S_IFSOCK). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ControlSocketFile() {
    }

    static void prepare(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, OWNER_ONLY); // not left to the umask
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; remove it or choose another --control");
        }
        int probe = UnixSockets.socket(Sockets.SOCK_SEQPACKET);
        try {
            UnixSockets.connect(probe, path);
            throw new IOException("another daemon is running on " + path
                    + " (its control socket answers); stop it first or choose another --control");
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ECONNREFUSED) {
                // Nobody listens: a daemon died without cleaning up.
                Files.deleteIfExists(path);
                LOG.info(() -> "removed the stale control socket " + path);
            } else if (e.errno() != Errno.ENOENT) {
                throw new IOException(path + ": " + e.getMessage(), e);
            }
        } finally {
            Fd.closeQuietly(probe);
        }
    }
}

package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the control socket needs from AF_UNIX beyond Java NIO: SOCK_SEQPACKET, a socket file
 * created with mode 0600 from the start, the peer's credentials (SO_PEERCRED), and
 * {@link FdPassing passing file descriptors}.
 */
public final class UnixSockets {

    /** {@code sizeof(sun_path)}; a path needs a NUL too, so 107 bytes at most. */
    public static final int SUN_PATH_SIZE = 108;

    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            SockAddr.FAMILY.withName("sun_family"),
            MemoryLayout.sequenceLayout(SUN_PATH_SIZE, JAVA_BYTE).withName("sun_path")).withName("sockaddr_un");
    public static final long SUN_PATH = SOCKADDR_UN.byteOffset(groupElement("sun_path"));

    public static final StructLayout UCRED = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid")).withName("ucred");
    static final long UCRED_PID = UCRED.byteOffset(groupElement("pid"));
    static final long UCRED_UID = UCRED.byteOffset(groupElement("uid"));
    static final long UCRED_GID = UCRED.byteOffset(groupElement("gid"));

    private static final MethodHandle SOCKETPAIR = Libc.errnoCall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    /** Who is on the other end of a connected AF_UNIX socket, as of connect/socketpair time. */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    private UnixSockets() {
    }

    /** A close-on-exec AF_UNIX socket; {@code type} SOCK_SEQPACKET or SOCK_STREAM (| SOCK_NONBLOCK). */
    public static int socket(int type) throws ErrnoException {
        return Sockets.socket(Sockets.AF_UNIX, type | Sockets.SOCK_CLOEXEC, 0);
    }

    /** A connected pair; element 0 and 1 are the two ends. */
    public static int[] socketPair(int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sv = arena.allocate(JAVA_INT, 2);
            MemorySegment st = Errno.state();
            int r;
            try {
                r = (int) SOCKETPAIR.invokeExact(st, Sockets.AF_UNIX, type | Sockets.SOCK_CLOEXEC, 0, sv);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r < 0) {
                throw Errno.exception(st, "socketpair(AF_UNIX, " + type + ")");
            }
            return new int[] {sv.get(JAVA_INT, 0), sv.get(JAVA_INT, 4)};
        }
    }

    /**
     * Binds {@code fd} to the file {@code path}, which is created with {@code mode} (e.g. 0600)
     * and never exists with a wider one: on Linux the socket file takes the mode of the socket's
     * inode less the umask (unix_bind), so an {@code fchmod} before bind does it without the
     * window a chmod after bind would leave, and without touching the process-wide umask.
     * A stale file at {@code path} makes bind fail with EADDRINUSE; removing it is the caller's call.
     */
    public static void bind(int fd, Path path, int mode) throws ErrnoException {
        Fd.fchmod(fd, mode);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = sockaddr(arena, path);
            if (Sockets.bindRaw(fd, sa) < 0) {
                throw Errno.exception(Errno.state(), "bind(" + path + ")");
            }
        }
    }

    /** Connects to the socket file at {@code path}. */
    public static void connect(int fd, Path path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            Sockets.connectRaw(fd, sockaddr(arena, path), path.toString());
        }
    }

    /** A sockaddr_un for {@code path}, sized to the path (offsetof(sun_path) + length + NUL). */
    static MemorySegment sockaddr(Arena arena, Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_SIZE) {
            throw new IllegalArgumentException("socket path longer than " + (SUN_PATH_SIZE - 1) + " bytes: " + path);
        }
        MemorySegment sa = arena.allocate(SOCKADDR_UN);
        sa.set(SockAddr.FAMILY, 0, (short) Sockets.AF_UNIX);
        MemorySegment.copy(p, 0, sa, JAVA_BYTE, SUN_PATH, p.length);
        return sa.asSlice(0, SUN_PATH + p.length + 1);
    }

    /** The credentials of the process that connected (or created the pair): SO_PEERCRED. */
    public static PeerCredentials peerCredentials(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(UCRED);
            SockOpt.get(fd, SockOpt.SOL_SOCKET, SockOpt.SO_PEERCRED, cred, "SO_PEERCRED");
            return new PeerCredentials(cred.get(JAVA_INT, UCRED_PID), cred.get(JAVA_INT, UCRED_UID),
                    cred.get(JAVA_INT, UCRED_GID));
        }
    }
}

package dev.ovpndpdk.dataplane.port.dpdk;

import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.SockOpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kernel sockets under a wire port whose driver has no RX interrupts but polls a socket:
 * {@code net_af_packet} (a {@code PF_PACKET} socket with an RX ring per queue) and
 * {@code net_af_xdp} (an {@code AF_XDP} socket per queue). DPDK 22.11 does not hand them out,
 * so they are found among this process's descriptors by their address family, in the order the
 * driver created them (its queues' order: socket inode numbers only grow). Both are readable,
 * level-triggered, while received frames wait in their rings — exactly a queue's RX interrupt,
 * with nothing to arm. The process must hold no other socket of the family: the daemon has one
 * wire port and opens none itself.
 */
final class PmdSockets {
    private static final int AF_PACKET = 17;
    private static final int AF_XDP = 44;

    private PmdSockets() {
    }

    /**
     * The descriptors of queues {@code 0..queues-1} of a port on {@code driver}, or null when the
     * driver polls no socket or they cannot be told apart (not exactly {@code queues} of them).
     */
    static int[] of(String driver, int queues) {
        int family = switch (driver) {
            case "net_af_packet" -> AF_PACKET;
            case "net_af_xdp" -> AF_XDP;
            default -> -1;
        };
        if (family < 0) {
            return null;
        }
        List<long[]> found = new ArrayList<>(); // {inode, fd}
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                long inode = socketInode(p);
                int fd = Integer.parseInt(p.getFileName().toString());
                if (inode >= 0 && family(fd) == family) {
                    found.add(new long[] {inode, fd});
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (found.size() != queues) {
            return null;
        }
        found.sort(Comparator.comparingLong(f -> f[0]));
        return found.stream().mapToInt(f -> (int) f[1]).toArray();
    }

    /** {@code socket:[INODE]} → INODE; -1 for anything else (or a descriptor gone meanwhile). */
    private static long socketInode(Path fd) {
        try {
            String link = Files.readSymbolicLink(fd).toString();
            return link.startsWith("socket:[") && link.endsWith("]")
                    ? Long.parseLong(link.substring(8, link.length() - 1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static int family(int fd) {
        try {
            return SockOpt.getInt(fd, SockOpt.SOL_SOCKET, SockOpt.SO_DOMAIN, "getsockopt(SO_DOMAIN)");
        } catch (ErrnoException e) {
            return -1;
        }
    }
}

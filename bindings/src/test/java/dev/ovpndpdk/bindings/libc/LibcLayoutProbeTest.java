package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks every struct layout and constant of the package against what gcc sees in the system
 * headers: compiles {@code src/test/c/libc_probe.c}, runs it, compares line by line. A wrong
 * hard-coded number would otherwise show up only as EINVAL, or as silently wrong memory.
 */
@Timeout(60)
class LibcLayoutProbeTest {

    private static final Path PROBE_SOURCE = Path.of("src/test/c/libc_probe.c");

    @Test
    void javaLayoutsAndConstantsMatchTheCHeaders() throws Exception {
        Assumptions.assumeTrue(Files.exists(PROBE_SOURCE), "probe source not found at " + PROBE_SOURCE.toAbsolutePath());
        Assumptions.assumeTrue(gccAvailable(), "gcc not installed: layout probe skipped");
        Path dir = Files.createTempDirectory("libc-probe");
        try {
            Path exe = dir.resolve("libc_probe");
            run(List.of("gcc", "-Wall", "-Werror", "-o", exe.toString(), PROBE_SOURCE.toString()));
            Map<String, Long> c = parse(run(List.of(exe.toString())));
            Map<String, Long> java = javaSide();

            List<String> problems = new ArrayList<>();
            for (var e : java.entrySet()) {
                Long cv = c.get(e.getKey());
                if (cv == null) {
                    problems.add(e.getKey() + ": not printed by the probe");
                } else if (!cv.equals(e.getValue())) {
                    problems.add(e.getKey() + ": C " + cv + ", Java " + e.getValue());
                }
            }
            for (String k : c.keySet()) {
                if (!java.containsKey(k)) {
                    problems.add(k + ": printed by the probe but not checked in Java");
                }
            }
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            assertEquals(c.size(), java.size());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Map<String, Long> javaSide() {
        Map<String, Long> m = new LinkedHashMap<>();
        struct(m, "sockaddr_in", SockAddr.SOCKADDR_IN, "sin_family", "sin_port", "sin_addr");
        struct(m, "sockaddr_in6", SockAddr.SOCKADDR_IN6, "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id");
        struct(m, "sockaddr_storage", SockAddr.SOCKADDR_STORAGE);
        struct(m, "sockaddr_un", UnixSockets.SOCKADDR_UN, "sun_path");
        struct(m, "iovec", MsgHdr.IOVEC, "iov_base", "iov_len");
        struct(m, "msghdr", MsgHdr.MSGHDR, "msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control",
                "msg_controllen", "msg_flags");
        struct(m, "mmsghdr", MsgHdr.MMSGHDR, "msg_hdr", "msg_len");
        struct(m, "cmsghdr", MsgHdr.CMSGHDR, "cmsg_len", "cmsg_level", "cmsg_type");
        m.put("CMSG_SPACE(sizeof(int))", MsgHdr.CMSG_SPACE(Integer.BYTES));
        m.put("CMSG_LEN(sizeof(int))", MsgHdr.CMSG_LEN(Integer.BYTES));
        m.put("CMSG_SPACE(sizeof(uint16_t))", MsgHdr.CMSG_SPACE(Short.BYTES));
        m.put("CMSG_DATA-offset", MsgHdr.CMSG_DATA);
        struct(m, "ucred", UnixSockets.UCRED, "pid", "uid", "gid");
        m.put("sizeof.ifreq", Ifreq.IFREQ.byteSize());
        m.put("offsetof.ifreq.ifr_name", Ifreq.IFR_NAME);
        m.put("offsetof.ifreq.ifr_flags", Ifreq.IFR_FLAGS);
        m.put("offsetof.ifreq.ifr_mtu", Ifreq.IFR_MTU);
        m.put("offsetof.ifreq.ifr_ifindex", Ifreq.IFR_IFINDEX);
        struct(m, "sock_filter", ClassicBpf.SOCK_FILTER, "code", "jt", "jf", "k");
        struct(m, "sock_fprog", ClassicBpf.SOCK_FPROG, "len", "filter");
        struct(m, "pollfd", Poll.POLLFD, "fd", "events", "revents");
        m.put("sizeof.cpu_set_t", (long) Affinity.CPU_SET_BYTES);
        m.put("sizeof.virtio_net_hdr", (long) TunDevice.VNET_HDR_SIZE);

        constants(m, Sockets.class, "AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_INET6", "SOCK_STREAM", "SOCK_DGRAM",
                "SOCK_SEQPACKET", "SOCK_NONBLOCK", "SOCK_CLOEXEC", "IPPROTO_IP", "IPPROTO_UDP", "IPPROTO_IPV6",
                "MSG_CTRUNC", "MSG_TRUNC", "MSG_DONTWAIT", "MSG_NOSIGNAL", "MSG_WAITFORONE", "MSG_CMSG_CLOEXEC",
                "SHUT_RD", "SHUT_WR", "SHUT_RDWR");
        constants(m, SockOpt.class, "SOL_SOCKET", "SO_REUSEADDR", "SO_TYPE", "SO_ERROR", "SO_SNDBUF", "SO_RCVBUF",
                "SO_REUSEPORT", "SO_PASSCRED", "SO_PEERCRED", "SO_BINDTODEVICE", "SO_SNDBUFFORCE", "SO_RCVBUFFORCE",
                "SO_PROTOCOL", "SO_DOMAIN", "SO_RXQ_OVFL", "SO_INCOMING_CPU", "SO_MEMINFO", "SK_MEMINFO_DROPS", "SK_MEMINFO_VARS", "SO_ATTACH_REUSEPORT_CBPF",
                "SO_DETACH_REUSEPORT_BPF", "IP_TOS", "IP_PKTINFO", "IP_MTU_DISCOVER", "IP_RECVERR",
                "IP_PMTUDISC_DONT", "IP_PMTUDISC_DO", "IPV6_V6ONLY", "IPV6_RECVPKTINFO", "IPV6_PKTINFO", "SOL_UDP",
                "UDP_SEGMENT", "UDP_GRO");
        constants(m, MsgHdr.class, "SCM_RIGHTS", "SCM_CREDENTIALS");
        constants(m, Errno.class, "EPERM", "ENOENT", "EINTR", "EIO", "EBADF", "EAGAIN", "EWOULDBLOCK", "ENOMEM",
                "EACCES", "EFAULT", "EBUSY", "EEXIST", "ENODEV", "EINVAL", "EMFILE", "EPIPE", "ENOTSOCK", "EMSGSIZE",
                "ENOPROTOOPT", "EOPNOTSUPP", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETUNREACH",
                "ECONNRESET", "ENOBUFS", "ENOTCONN", "ECONNREFUSED", "EHOSTUNREACH", "EINPROGRESS");
        constants(m, Fd.class, "O_RDONLY", "O_WRONLY", "O_RDWR", "O_NONBLOCK", "O_CLOEXEC", "F_DUPFD_CLOEXEC",
                "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL", "FD_CLOEXEC");
        constants(m, Poll.class, "POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL");
        constants(m, TunDevice.class, "TUNSETIFF", "TUNSETPERSIST", "TUNGETIFF", "TUNSETQUEUE", "IFF_TUN", "IFF_TAP",
                "IFF_MULTI_QUEUE", "IFF_ATTACH_QUEUE", "IFF_DETACH_QUEUE", "IFF_NO_PI", "IFF_VNET_HDR",
                "TUNSETOFFLOAD", "TUNSETVNETHDRSZ", "TUN_F_CSUM", "TUN_F_TSO4", "TUN_F_TSO6", "TUN_F_TSO_ECN",
                "TUN_F_UFO");
        constants(m, NetDevice.class, "SIOCGIFFLAGS", "SIOCSIFFLAGS", "SIOCGIFMTU", "SIOCSIFMTU", "SIOCGIFINDEX",
                "IFF_UP", "IFF_BROADCAST", "IFF_LOOPBACK", "IFF_POINTOPOINT", "IFF_RUNNING", "IFF_NOARP",
                "IFF_MULTICAST");
        constants(m, Ifreq.class, "IFNAMSIZ");
        constants(m, ClassicBpf.class, "BPF_LD", "BPF_LDX", "BPF_ALU", "BPF_JMP", "BPF_RET", "BPF_W", "BPF_H",
                "BPF_B", "BPF_IMM", "BPF_ABS", "BPF_LEN", "BPF_ADD", "BPF_SUB", "BPF_MUL", "BPF_DIV", "BPF_OR",
                "BPF_AND", "BPF_LSH", "BPF_RSH", "BPF_MOD", "BPF_JA", "BPF_JEQ", "BPF_JGT", "BPF_JGE", "BPF_JSET",
                "BPF_K", "BPF_X", "BPF_A", "BPF_MAXINSNS");
        return m;
    }

    private static void struct(Map<String, Long> m, String name, StructLayout layout, String... fields) {
        m.put("sizeof." + name, layout.byteSize());
        for (String f : fields) {
            m.put("offsetof." + name + "." + f, layout.byteOffset(groupElement(f)));
        }
    }

    private static void constants(Map<String, Long> m, Class<?> owner, String... names) {
        for (String n : names) {
            try {
                m.put(n, ((Number) owner.getField(n).get(null)).longValue());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(owner.getSimpleName() + "." + n + " missing", e);
            }
        }
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> m = new TreeMap<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                int sp = line.lastIndexOf(' ');
                m.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
            }
        }
        return m;
    }

    private static boolean gccAvailable() {
        try {
            run(List.of("gcc", "--version"));
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(cmd + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}

/*
 * Layout probe for dev.ovpndpdk.bindings.libc: prints "name value" for every struct size,
 * field offset and constant the Java bindings hard-code, as the C compiler sees them.
 * LibcLayoutProbeTest compiles and runs it and compares line by line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/sock_diag.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SIZE(t) printf("sizeof.%s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("offsetof.%s.%s %zu\n", #t, #f, offsetof(struct t, f))
#define CONST(c) printf("%s %lld\n", #c, (long long) (c))

int main(void) {
    SIZE(sockaddr_in); OFF(sockaddr_in, sin_family); OFF(sockaddr_in, sin_port); OFF(sockaddr_in, sin_addr);
    SIZE(sockaddr_in6); OFF(sockaddr_in6, sin6_port); OFF(sockaddr_in6, sin6_flowinfo);
    OFF(sockaddr_in6, sin6_addr); OFF(sockaddr_in6, sin6_scope_id);
    SIZE(sockaddr_storage);
    SIZE(sockaddr_un); OFF(sockaddr_un, sun_path);
    SIZE(iovec); OFF(iovec, iov_base); OFF(iovec, iov_len);
    SIZE(msghdr); OFF(msghdr, msg_name); OFF(msghdr, msg_namelen); OFF(msghdr, msg_iov); OFF(msghdr, msg_iovlen);
    OFF(msghdr, msg_control); OFF(msghdr, msg_controllen); OFF(msghdr, msg_flags);
    SIZE(mmsghdr); OFF(mmsghdr, msg_hdr); OFF(mmsghdr, msg_len);
    SIZE(cmsghdr); OFF(cmsghdr, cmsg_len); OFF(cmsghdr, cmsg_level); OFF(cmsghdr, cmsg_type);
    printf("CMSG_SPACE(sizeof(int)) %zu\n", (size_t) CMSG_SPACE(sizeof(int)));
    printf("CMSG_LEN(sizeof(int)) %zu\n", (size_t) CMSG_LEN(sizeof(int)));
    printf("CMSG_SPACE(sizeof(uint16_t)) %zu\n", (size_t) CMSG_SPACE(sizeof(unsigned short)));
    {
        struct cmsghdr c;
        printf("CMSG_DATA-offset %zu\n", (size_t) ((unsigned char *) CMSG_DATA(&c) - (unsigned char *) &c));
    }
    SIZE(ucred); OFF(ucred, pid); OFF(ucred, uid); OFF(ucred, gid);
    SIZE(ifreq); OFF(ifreq, ifr_name); OFF(ifreq, ifr_flags); OFF(ifreq, ifr_mtu); OFF(ifreq, ifr_ifindex);
    SIZE(sock_filter); OFF(sock_filter, code); OFF(sock_filter, jt); OFF(sock_filter, jf); OFF(sock_filter, k);
    SIZE(sock_fprog); OFF(sock_fprog, len); OFF(sock_fprog, filter);
    SIZE(pollfd); OFF(pollfd, fd); OFF(pollfd, events); OFF(pollfd, revents);
    printf("sizeof.cpu_set_t %zu\n", sizeof(cpu_set_t));
    SIZE(virtio_net_hdr);

    CONST(AF_UNSPEC); CONST(AF_UNIX); CONST(AF_INET); CONST(AF_INET6);
    CONST(SOCK_STREAM); CONST(SOCK_DGRAM); CONST(SOCK_SEQPACKET); CONST(SOCK_NONBLOCK); CONST(SOCK_CLOEXEC);
    CONST(IPPROTO_IP); CONST(IPPROTO_UDP); CONST(IPPROTO_IPV6);
    CONST(MSG_CTRUNC); CONST(MSG_TRUNC); CONST(MSG_DONTWAIT); CONST(MSG_NOSIGNAL); CONST(MSG_WAITFORONE);
    CONST(MSG_CMSG_CLOEXEC);
    CONST(SHUT_RD); CONST(SHUT_WR); CONST(SHUT_RDWR);
    CONST(SOL_SOCKET); CONST(SO_REUSEADDR); CONST(SO_TYPE); CONST(SO_ERROR); CONST(SO_SNDBUF); CONST(SO_RCVBUF);
    CONST(SO_REUSEPORT); CONST(SO_PASSCRED); CONST(SO_PEERCRED); CONST(SO_BINDTODEVICE); CONST(SO_SNDBUFFORCE);
    CONST(SO_RCVBUFFORCE); CONST(SO_PROTOCOL); CONST(SO_DOMAIN); CONST(SO_RXQ_OVFL); CONST(SO_INCOMING_CPU); CONST(SO_MEMINFO);
    CONST(SK_MEMINFO_DROPS); CONST(SK_MEMINFO_VARS);
    CONST(SO_ATTACH_REUSEPORT_CBPF); CONST(SO_DETACH_REUSEPORT_BPF);
    CONST(IP_TOS); CONST(IP_PKTINFO); CONST(IP_MTU_DISCOVER); CONST(IP_RECVERR); CONST(IP_PMTUDISC_DONT);
    CONST(IP_PMTUDISC_DO); CONST(IPV6_V6ONLY); CONST(IPV6_RECVPKTINFO); CONST(IPV6_PKTINFO);
    CONST(SOL_UDP); CONST(UDP_SEGMENT); CONST(UDP_GRO);
    CONST(SCM_RIGHTS); CONST(SCM_CREDENTIALS);

    CONST(EPERM); CONST(ENOENT); CONST(EINTR); CONST(EIO); CONST(EBADF); CONST(EAGAIN); CONST(EWOULDBLOCK);
    CONST(ENOMEM); CONST(EACCES); CONST(EFAULT); CONST(EBUSY); CONST(EEXIST); CONST(ENODEV); CONST(EINVAL);
    CONST(EMFILE); CONST(EPIPE); CONST(ENOTSOCK); CONST(EMSGSIZE); CONST(ENOPROTOOPT); CONST(EOPNOTSUPP);
    CONST(EAFNOSUPPORT); CONST(EADDRINUSE); CONST(EADDRNOTAVAIL); CONST(ENETUNREACH); CONST(ECONNRESET);
    CONST(ENOBUFS); CONST(ENOTCONN); CONST(ECONNREFUSED); CONST(EHOSTUNREACH); CONST(EINPROGRESS);

    CONST(O_RDONLY); CONST(O_WRONLY); CONST(O_RDWR); CONST(O_NONBLOCK); CONST(O_CLOEXEC);
    CONST(F_DUPFD_CLOEXEC); CONST(F_GETFD); CONST(F_SETFD); CONST(F_GETFL); CONST(F_SETFL); CONST(FD_CLOEXEC);
    CONST(POLLIN); CONST(POLLPRI); CONST(POLLOUT); CONST(POLLERR); CONST(POLLHUP); CONST(POLLNVAL);

    CONST(TUNSETIFF); CONST(TUNSETPERSIST); CONST(TUNGETIFF); CONST(TUNSETQUEUE);
    CONST(IFF_TUN); CONST(IFF_TAP); CONST(IFF_MULTI_QUEUE); CONST(IFF_ATTACH_QUEUE); CONST(IFF_DETACH_QUEUE);
    CONST(IFF_NO_PI); CONST(IFF_VNET_HDR);
    /* TUN_F_USO4/USO6 (Linux 6.2) are left out: older kernel headers do not define them. */
    CONST(TUNSETOFFLOAD); CONST(TUNSETVNETHDRSZ);
    CONST(TUN_F_CSUM); CONST(TUN_F_TSO4); CONST(TUN_F_TSO6); CONST(TUN_F_TSO_ECN); CONST(TUN_F_UFO);
    CONST(SIOCGIFFLAGS); CONST(SIOCSIFFLAGS); CONST(SIOCGIFMTU); CONST(SIOCSIFMTU); CONST(SIOCGIFINDEX);
    CONST(IFF_UP); CONST(IFF_BROADCAST); CONST(IFF_LOOPBACK); CONST(IFF_POINTOPOINT); CONST(IFF_RUNNING);
    CONST(IFF_NOARP); CONST(IFF_MULTICAST); CONST(IFNAMSIZ);

    CONST(BPF_LD); CONST(BPF_LDX); CONST(BPF_ALU); CONST(BPF_JMP); CONST(BPF_RET);
    CONST(BPF_W); CONST(BPF_H); CONST(BPF_B); CONST(BPF_IMM); CONST(BPF_ABS); CONST(BPF_LEN);
    CONST(BPF_ADD); CONST(BPF_SUB); CONST(BPF_MUL); CONST(BPF_DIV); CONST(BPF_OR); CONST(BPF_AND);
    CONST(BPF_LSH); CONST(BPF_RSH); CONST(BPF_MOD);
    CONST(BPF_JA); CONST(BPF_JEQ); CONST(BPF_JGT); CONST(BPF_JGE); CONST(BPF_JSET);
    CONST(BPF_K); CONST(BPF_X); CONST(BPF_A); CONST(BPF_MAXINSNS);
    return 0;
}

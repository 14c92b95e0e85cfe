/*
 * ovpn-dpdk-ctl-example — a small client of the ovpn-dpdk control socket, written with
 * docs/ovpn-dpdk-control.h only. It shows what an OpenVPN DCO backend does: build a
 * request, send it as one SOCK_SEQPACKET datagram, read the reply (in several parts for a
 * big GET_PEER dump), check "error", walk the fields.
 *
 *   cc -std=c11 -Wall -Wextra -I docs -o ovpn-dpdk-ctl-example docs/examples/ovpn-dpdk-ctl-example.c
 *
 *   ovpn-dpdk-ctl-example [--tun NAME | --socket PATH] [--seq N] [--print-request] COMMAND
 *     COMMAND:  del-peer PEER_ID | get-peer [PEER_ID] | ping
 *     --print-request  write the encoded request to stdout in hex and exit (no daemon needed)
 *   ovpn-dpdk-ctl-example --decode-hex    read one message in hex on stdin, print its fields
 *
 * Exit status: 0 success, 1 the daemon answered an error, 2 usage, I/O or malformed message.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "ovpn-dpdk-control.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: ovpn-dpdk-ctl-example [--tun NAME | --socket PATH] [--seq N] [--print-request]\n"
		"                             del-peer PEER_ID | get-peer [PEER_ID] | ping\n"
		"       ovpn-dpdk-ctl-example --decode-hex < HEX\n");
	exit(2);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *s == '\0' || *s == '-' || *end != '\0' || *v > max) ? -1 : 0;
}

/* Builds the request; returns its length, 0 if the command line is wrong. */
static size_t build_request(uint8_t *buf, size_t size, uint32_t seq, int argc, char **argv)
{
	struct ovpd_writer w;
	uint64_t peer_id;

	if (argc < 1)
		return 0;
	if (strcmp(argv[0], "del-peer") == 0) {
		if (argc != 2 || parse_u64(argv[1], OVPD_PEER_ID_MAX, &peer_id))
			return 0;
		ovpd_begin(&w, buf, size, OVPD_KIND_REQUEST, OVPD_CMD_DEL_PEER, seq);
		ovpd_put_u64(&w, OVPD_F_PEER_ID, peer_id);
	} else if (strcmp(argv[0], "get-peer") == 0) {
		if (argc > 2 || (argc == 2 && parse_u64(argv[1], OVPD_PEER_ID_MAX, &peer_id)))
			return 0;
		ovpd_begin(&w, buf, size, OVPD_KIND_REQUEST, OVPD_CMD_GET_PEER, seq);
		if (argc == 2) /* one peer; without peer_id the daemon dumps all */
			ovpd_put_u64(&w, OVPD_F_PEER_ID, peer_id);
	} else if (strcmp(argv[0], "ping") == 0) {
		if (argc != 1)
			return 0;
		ovpd_begin(&w, buf, size, OVPD_KIND_REQUEST, OVPD_CMD_PING, seq);
	} else {
		return 0;
	}
	return ovpd_finish(&w);
}

static void print_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

/* Prints the fields of one level, nests indented; -1 if the bytes are malformed. */
static int print_fields(struct ovpd_iter *it)
{
	struct ovpd_field f;
	struct ovpd_iter inner;
	uint64_t u;
	int b, r;

	while ((r = ovpd_iter_next(it, &f)) == 1) {
		printf("%*s%.*s ", 2 * it->depth, "", (int)f.name_len, f.name);
		switch (f.type) {
		case OVPD_T_U64:
			if (ovpd_field_u64(&f, &u))
				return -1;
			printf("u64 %" PRIu64 "\n", u);
			break;
		case OVPD_T_BOOL:
			if (ovpd_field_bool(&f, &b))
				return -1;
			printf("bool %s\n", b ? "true" : "false");
			break;
		case OVPD_T_STRING:
			printf("string \"%.*s\"\n", (int)f.len, (const char *)f.value);
			break;
		case OVPD_T_BYTES:
			printf("bytes ");
			print_hex(f.value, f.len);
			printf("\n");
			break;
		case OVPD_T_NESTED:
			printf("nested {\n");
			if (ovpd_iter_nested(it, &f, &inner) || print_fields(&inner))
				return -1;
			printf("%*s}\n", 2 * it->depth, "");
			break;
		default: /* a type from a later version: skip it, by its length */
			printf("type%u skipped %" PRIu32 " bytes\n", f.type, f.len);
			break;
		}
	}
	return r;
}

/* Prints one message; returns its "error" (0 if none), or -1 if it is malformed. */
static int print_message(const uint8_t *buf, size_t len, struct ovpd_message *m)
{
	const char *why;
	struct ovpd_iter it;
	uint64_t error = 0;
	int e = ovpd_parse(buf, len, m, &why);

	if (e) {
		fprintf(stderr, "malformed message: %s (errno %d)\n", why, e);
		return -1;
	}
	printf("# kind %u code %u seq %" PRIu32 "%s\n", m->kind, m->code, m->sequence,
	       (m->flags & OVPD_FLAG_MORE) ? " more" : "");
	ovpd_iter_init(&it, m);
	if (print_fields(&it)) {
		fprintf(stderr, "malformed field\n");
		return -1;
	}
	if (m->kind == OVPD_KIND_REPLY)
		ovpd_find_u64(m, OVPD_F_ERROR, &error);
	return error ? 1 : 0;
}

static int decode_hex_stdin(void)
{
	static uint8_t buf[OVPD_MAX_MESSAGE_BYTES + 1];
	struct ovpd_message m;
	size_t n = 0;
	int c, hi = -1;

	while ((c = getchar()) != EOF) {
		int v = (c >= '0' && c <= '9') ? c - '0'
		      : (c >= 'a' && c <= 'f') ? c - 'a' + 10
		      : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
		if (v < 0)
			continue; /* whitespace, line breaks */
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == sizeof(buf)) {
			fprintf(stderr, "input longer than a message\n");
			return 2;
		}
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return print_message(buf, n, &m) < 0 ? 2 : 0;
}

/*
 * Sends one request; with fd >= 0 the descriptor travels with it (SCM_RIGHTS). That is how
 * NEW_PEER hands over OpenVPN's UDP socket: the request's "socket" field is the index of the
 * descriptor in this message, 0 for the only one.
 */
static int send_request(int sock, const uint8_t *msg, size_t len, int fd)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, 0) == (ssize_t)len ? 0 : -1;
}

/* Sends the request and prints every part of its reply; skips notifications. */
static int exchange(const char *path, const uint8_t *req, size_t len, uint32_t seq)
{
	static uint8_t buf[OVPD_MAX_MESSAGE_BYTES];
	struct sockaddr_un sa;
	struct ovpd_message m;
	int sock, status = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", path);
		return 2;
	}
	strcpy(sa.sun_path, path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	if (send_request(sock, req, len, -1)) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		close(sock);
		return 2;
	}
	for (;;) {
		/* MSG_TRUNC: recv returns the real length, so a too-big datagram is noticed. */
		ssize_t n = recv(sock, buf, sizeof(buf), MSG_TRUNC);
		int r;

		if (n <= 0 || (size_t)n > sizeof(buf)) {
			fprintf(stderr, n < 0 ? "recv: %s\n" : "connection closed or datagram too big%s\n",
				n < 0 ? strerror(errno) : "");
			status = 2;
			break;
		}
		r = print_message(buf, (size_t)n, &m);
		if (r < 0) {
			status = 2;
			break;
		}
		if (m.kind != OVPD_KIND_REPLY || m.sequence != seq)
			continue; /* a notification (only after SUBSCRIBE) or a stray reply */
		if (r > 0)
			status = 1;
		if (!(m.flags & OVPD_FLAG_MORE))
			break;
	}
	close(sock);
	return status;
}

int main(int argc, char **argv)
{
	static uint8_t req[OVPD_MAX_MESSAGE_BYTES];
	char path[108];
	const char *tun = "ovpn0", *socket_path = NULL;
	uint64_t seq = 1;
	int i, print_request = 0;
	size_t len;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--decode-hex") == 0 && argc == 2)
			return decode_hex_stdin();
		else if (strcmp(argv[i], "--print-request") == 0)
			print_request = 1;
		else if (strcmp(argv[i], "--tun") == 0 && i + 1 < argc)
			tun = argv[++i];
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			socket_path = argv[++i];
		else if (strcmp(argv[i], "--seq") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], UINT32_MAX, &seq))
				usage();
		} else
			usage();
	}
	len = build_request(req, sizeof(req), (uint32_t)seq, argc - i, argv + i);
	if (len == 0)
		usage();
	if (print_request) {
		print_hex(req, len);
		printf("\n");
		return 0;
	}
	if (!socket_path) {
		snprintf(path, sizeof(path), "%s/%s.sock", OVPD_SOCKET_DIR, tun);
		socket_path = path;
	}
	return exchange(socket_path, req, len, (uint32_t)seq);
}

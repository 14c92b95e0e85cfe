/* SPDX-License-Identifier: MIT */
/*
 * ovpn-dpdk-control.h — the ovpn-dpdk control-socket message format, for C clients
 * (an OpenVPN DCO backend, scripts, tests). The format is described in
 * docs/control-protocol.md; docs/examples/ovpn-dpdk-ctl-example.c uses this header.
 *
 * Header-only, C99 (C11 for the size check), no allocation, no global state.
 *
 *   message  = header (16 bytes) + payload (fields), one per SOCK_SEQPACKET datagram,
 *              at most OVPD_MAX_MESSAGE_BYTES in all
 *   header   = magic u32 | version u8 | kind u8 (low 4 bits kind, high 4 bits flags)
 *              | code u16 | sequence u32 | payload length u32
 *   field    = type u8 | name length u8 (1..63) | name [a-z0-9_] | value length u32 | value
 *
 * Every multi-byte integer is big-endian (network byte order) on the wire, in the header
 * and in U64 values alike. The helpers below read and write bytes one by one, so they work
 * on any host and on unaligned buffers; never cast a receive buffer to struct ovpd_header.
 */
#ifndef OVPN_DPDK_CONTROL_H
#define OVPN_DPDK_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ constants */

#define OVPD_MAGIC              0x4F565044u /* "OVPD" */
#define OVPD_VERSION            1
#define OVPD_HEADER_BYTES       16
#define OVPD_MAX_MESSAGE_BYTES  65536       /* header included; larger requests get E2BIG */
#define OVPD_MAX_DEPTH          4           /* NESTED fields on any path from the top */
#define OVPD_MAX_NAME_BYTES     63
#define OVPD_FIELD_OVERHEAD     6           /* type + name length + value length */

/* The daemon's socket is OVPD_SOCKET_DIR "/" <tunnel name> ".sock", e.g. /run/ovpn-dpdk/ovpn0.sock */
#define OVPD_SOCKET_DIR         "/run/ovpn-dpdk"

/* Header byte 5: kind in the low 4 bits, flags in the high 4 bits. */
#define OVPD_KIND_REQUEST       1
#define OVPD_KIND_REPLY         2
#define OVPD_KIND_NOTIFICATION  3
#define OVPD_KIND_MASK          0x0F
#define OVPD_FLAGS_MASK         0xF0
#define OVPD_FLAG_MORE          0x10        /* a reply part with more parts to follow */

/* Header code of a request and its reply. */
enum ovpd_command {
	OVPD_CMD_NEW_PEER   = 1,  /* dco_new_peer */
	OVPD_CMD_SET_PEER   = 2,  /* dco_set_peer */
	OVPD_CMD_DEL_PEER   = 3,  /* dco_del_peer */
	OVPD_CMD_GET_PEER   = 4,  /* dco_get_peer_stats(_multi): one with peer_id, all without */
	OVPD_CMD_NEW_KEY    = 5,  /* dco_new_key */
	OVPD_CMD_SWAP_KEYS  = 6,  /* dco_swap_keys */
	OVPD_CMD_DEL_KEY    = 7,  /* dco_del_key */
	OVPD_CMD_GET_KEY    = 8,  /* key-id, cipher, tx packet-id of a slot; never key material */
	OVPD_CMD_GET_STATS  = 9,  /* daemon-wide counters */
	OVPD_CMD_ADD_ROUTE  = 10, /* dco_install_iroute */
	OVPD_CMD_DEL_ROUTE  = 11, /* dco_delete_iroutes, one prefix per request */
	OVPD_CMD_SUBSCRIBE  = 12, /* this connection receives notifications from now on */
	OVPD_CMD_PING       = 13, /* liveness, versions, ciphers, mode, tun, features */
	OVPD_CMD_ATTACH     = 14  /* the OpenVPN process: its UDP socket; owns the peers it adds */
};

/* Header code of a notification. */
enum ovpd_notification {
	OVPD_NTF_PEER_DELETED = 100, /* peer_id, reason, reason_name, final counters */
	OVPD_NTF_KEY_ROTATE   = 101, /* peer_id, key_id, slot: renegotiate soon */
	OVPD_NTF_PEER_FLOAT   = 102, /* peer_id, remote: the peer's new address */
	OVPD_NTF_NOTIFICATIONS_LOST = 103 /* missed: this subscriber's socket was full; re-read */
};

/* Field value types. A receiver skips a type it does not know, by its length. */
enum ovpd_field_type {
	OVPD_T_U64    = 1, /* 8 bytes, big-endian */
	OVPD_T_STRING = 2, /* UTF-8, no NUL, no terminator */
	OVPD_T_BYTES  = 3, /* opaque */
	OVPD_T_NESTED = 4, /* a sequence of fields */
	OVPD_T_BOOL   = 5  /* 1 byte, 0 or 1 */
};

/* PEER_DELETED "reason": Linux ovpn's del-peer-reason numbering (OVPN_DEL_PEER_REASON_*). */
enum ovpd_del_reason {
	OVPD_DEL_TEARDOWN             = 0,
	OVPD_DEL_USERSPACE            = 1,
	OVPD_DEL_EXPIRED              = 2,
	OVPD_DEL_TRANSPORT_ERROR      = 3,
	OVPD_DEL_TRANSPORT_DISCONNECT = 4
};

#define OVPD_SLOT_PRIMARY    0
#define OVPD_SLOT_SECONDARY  1
#define OVPD_PEER_ID_MAX     0xFFFFFFu
#define OVPD_KEY_ID_MAX      7
#define OVPD_NONCE_TAIL_BYTES 8

/*
 * Values of a reply's "error" field: Linux errno numbers. On Linux they equal <errno.h>'s,
 * so a DCO backend can return -error directly.
 */
#define OVPD_OK               0
#define OVPD_EPERM            1   /* peer credentials refused */
#define OVPD_ENOENT           2   /* no such peer, key slot or route */
#define OVPD_E2BIG            7   /* message too big */
#define OVPD_EBADF            9   /* "socket" names no passed file descriptor */
#define OVPD_EBUSY            16  /* another socket than the existing peers' */
#define OVPD_EEXIST           17  /* peer-id or route already present */
#define OVPD_EINVAL           22  /* malformed, missing or ill-typed field, out of range */
#define OVPD_ENOSPC           28  /* a table is full */
#define OVPD_ENOLINK          67  /* SWAP_KEYS without a complete secondary key */
#define OVPD_EPROTOTYPE       91  /* the passed socket is not UDP */
#define OVPD_EPROTONOSUPPORT  93  /* header version not spoken */
#define OVPD_ENOTSUP          95  /* unknown command, unsupported cipher or option */
#define OVPD_EADDRINUSE       98  /* VPN address belongs to another peer */

/* Field names (the catalogue; docs/control-protocol.md, "Field catalogue"). */
#define OVPD_F_ERROR              "error"
#define OVPD_F_MESSAGE            "message"
#define OVPD_F_PEER_ID            "peer_id"
#define OVPD_F_REMOTE             "remote"
#define OVPD_F_LOCAL              "local"
#define OVPD_F_SOCKET             "socket"
#define OVPD_F_VPN_IPV4           "vpn_ipv4"
#define OVPD_F_VPN_IPV6           "vpn_ipv6"
#define OVPD_F_KEEPALIVE_INTERVAL "keepalive_interval"
#define OVPD_F_KEEPALIVE_TIMEOUT  "keepalive_timeout"
#define OVPD_F_PEER               "peer"
#define OVPD_F_ADDRESS            "address"
#define OVPD_F_PORT               "port"
#define OVPD_F_SCOPE_ID           "scope_id"
#define OVPD_F_SLOT               "slot"
#define OVPD_F_KEY_ID             "key_id"
#define OVPD_F_CIPHER             "cipher"
#define OVPD_F_ENCRYPT            "encrypt"
#define OVPD_F_DECRYPT            "decrypt"
#define OVPD_F_KEY                "key"
#define OVPD_F_NONCE_TAIL         "nonce_tail"
#define OVPD_F_TX_PACKET_ID       "tx_packet_id"
#define OVPD_F_AEAD_USAGE         "aead_usage"
#define OVPD_F_FAILED_VERIFICATIONS "failed_verifications"
#define OVPD_F_PREFIX             "prefix"
#define OVPD_F_PREFIX_LEN         "prefix_len"
#define OVPD_F_VPN_RX_BYTES       "vpn_rx_bytes"
#define OVPD_F_VPN_TX_BYTES       "vpn_tx_bytes"
#define OVPD_F_VPN_RX_PACKETS     "vpn_rx_packets"
#define OVPD_F_VPN_TX_PACKETS     "vpn_tx_packets"
#define OVPD_F_LINK_RX_BYTES      "link_rx_bytes"
#define OVPD_F_LINK_TX_BYTES      "link_tx_bytes"
#define OVPD_F_LINK_RX_PACKETS    "link_rx_packets"
#define OVPD_F_LINK_TX_PACKETS    "link_tx_packets"
#define OVPD_F_DROP_PREFIX        "drop_"
/*
 * GET_STATS with --backend dpdk adds u64 fields of its own, all starting with this prefix
 * (docs/dpdk-backend.md, "Drops and counters"): dpdk_exception_to_kernel_packets/_drops,
 * dpdk_exception_from_kernel_packets/_drops, dpdk_neighbour_requests/_request_drops,
 * dpdk_own_frames_seen_again, dpdk_multi_segment_drops, dpdk_checksum_bad, dpdk_mbufs_in_use, dpdk_mbufs_free,
 * and dpdk_<port>_rx_nombuf/_imissed/_ierrors/_oerrors for port wire, tunnel and exception.
 * A client that does not know a field skips it.
 */
#define OVPD_F_BACKEND_PREFIX     "dpdk_"
/*
 * GET_STATS with --backend socket adds u64 fields starting with this prefix (docs/daemon.md,
 * "stats"): socket_wire_rx_queue_drops, socket_wire_rx_too_long_drops,
 * socket_wire_tx_refused_drops, socket_wire_gro_trains/_gso_trains/_gso_refused,
 * socket_tun_rx_queue_drops (absent where sysfs is another namespace's),
 * socket_tun_rx_malformed_drops, socket_tun_rx_too_long_drops, socket_tun_tx_write_error_drops,
 * socket_tun_super_packets_read/_written, socket_tun_coalesce_refused.
 */
#define OVPD_F_SOCKET_PREFIX      "socket_"
#define OVPD_F_PEER_COUNT         "peer_count"
#define OVPD_F_REASON             "reason"
#define OVPD_F_REASON_NAME        "reason_name"
#define OVPD_F_MISSED             "missed"     /* NOTIFICATIONS_LOST: how many */
#define OVPD_F_PROTOCOL_VERSION   "protocol_version"
#define OVPD_F_DAEMON_VERSION     "daemon_version"
#define OVPD_F_TX_ID              "tx_id"      /* NEW_PEER, GET_PEER: peer-id we send with */
#define OVPD_F_MODE               "mode"       /* PING: "p2p" or "mp" */
#define OVPD_F_TUN                "tun"        /* PING: the tunnel interface's name */
#define OVPD_F_BACKEND            "backend"    /* PING: "socket" or "dpdk" */
#define OVPD_F_LISTEN             "listen"     /* PING: sockaddr nest, the daemon's UDP address */
#define OVPD_F_TUN_MTU            "tun_mtu"    /* PING: the MTU the tunnel needs, when it needs one */
#define OVPD_F_FEATURE            "feature"    /* PING: repeated, see OVPD_FEATURE_* */

/* PING "feature" values: what this daemon does beyond the commands of protocol version 1. */
#define OVPD_FEATURE_ATTACH       "attach"     /* ATTACH, and peers deleted with their owner */
#define OVPD_FEATURE_PEER_FLOAT   "peer_float" /* PEER_FLOAT notifications */
#define OVPD_FEATURE_LOCAL        "local"      /* NEW_PEER "local": replies leave from it */

/*
 * The header as a struct, for reading the layout. On the wire every member is big-endian;
 * use ovpd_parse() to read one and ovpd_begin()/ovpd_finish() to write one.
 */
struct ovpd_header {
	uint32_t magic;    /* OVPD_MAGIC */
	uint8_t  version;  /* OVPD_VERSION */
	uint8_t  kind;     /* OVPD_KIND_* | OVPD_FLAG_* */
	uint16_t code;     /* enum ovpd_command or enum ovpd_notification */
	uint32_t sequence; /* chosen by the client, echoed by the reply */
	uint32_t length;   /* payload bytes after the header */
};
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct ovpd_header) == OVPD_HEADER_BYTES, "header is 16 bytes, no padding");
#endif

/* ------------------------------------------------------------------ byte order */

static inline void ovpd_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void ovpd_be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void ovpd_be64_put(uint8_t *p, uint64_t v)
{
	ovpd_be32_put(p, (uint32_t)(v >> 32));
	ovpd_be32_put(p + 4, (uint32_t)v);
}

static inline uint16_t ovpd_be16_get(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t ovpd_be32_get(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t ovpd_be64_get(const uint8_t *p)
{
	return ((uint64_t)ovpd_be32_get(p) << 32) | ovpd_be32_get(p + 4);
}

static inline int ovpd_name_valid(const char *name, size_t n)
{
	size_t i;

	if (n < 1 || n > OVPD_MAX_NAME_BYTES)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ writing */

/*
 * Builds one message in a caller's buffer. Errors are sticky: once something does not fit
 * (or a name is invalid, or nesting is too deep) `failed` is set, later calls do nothing,
 * and ovpd_finish() returns 0. Check once at the end.
 */
struct ovpd_writer {
	uint8_t *buf;
	size_t   cap;    /* min(buffer size, OVPD_MAX_MESSAGE_BYTES) */
	size_t   len;
	int      depth;  /* open nests */
	int      failed;
};

static inline void ovpd_begin(struct ovpd_writer *w, void *buf, size_t size,
			      uint8_t kind, uint16_t code, uint32_t sequence)
{
	w->buf = (uint8_t *)buf;
	w->cap = size < OVPD_MAX_MESSAGE_BYTES ? size : OVPD_MAX_MESSAGE_BYTES;
	w->len = OVPD_HEADER_BYTES;
	w->depth = 0;
	w->failed = w->cap < OVPD_HEADER_BYTES;
	if (w->failed)
		return;
	ovpd_be32_put(w->buf, OVPD_MAGIC);
	w->buf[4] = OVPD_VERSION;
	w->buf[5] = kind;
	ovpd_be16_put(w->buf + 6, code);
	ovpd_be32_put(w->buf + 8, sequence);
	ovpd_be32_put(w->buf + 12, 0);
}

/* Writes a field's type, name and value length; returns where the value goes, or NULL. */
static inline uint8_t *ovpd_put_field(struct ovpd_writer *w, uint8_t type, const char *name,
				      size_t value_len)
{
	size_t n = strlen(name);
	uint8_t *p;

	if (w->failed || !ovpd_name_valid(name, n)
	    || value_len > w->cap - w->len
	    || OVPD_FIELD_OVERHEAD + n > w->cap - w->len - value_len) {
		w->failed = 1;
		return NULL;
	}
	p = w->buf + w->len;
	p[0] = type;
	p[1] = (uint8_t)n;
	memcpy(p + 2, name, n);
	ovpd_be32_put(p + 2 + n, (uint32_t)value_len);
	w->len += OVPD_FIELD_OVERHEAD + n + value_len;
	return p + OVPD_FIELD_OVERHEAD + n;
}

static inline void ovpd_put_u64(struct ovpd_writer *w, const char *name, uint64_t v)
{
	uint8_t *p = ovpd_put_field(w, OVPD_T_U64, name, 8);
	if (p)
		ovpd_be64_put(p, v);
}

static inline void ovpd_put_bool(struct ovpd_writer *w, const char *name, int v)
{
	uint8_t *p = ovpd_put_field(w, OVPD_T_BOOL, name, 1);
	if (p)
		*p = v ? 1 : 0;
}

static inline void ovpd_put_bytes(struct ovpd_writer *w, const char *name, const void *v, size_t n)
{
	uint8_t *p = ovpd_put_field(w, OVPD_T_BYTES, name, n);
	if (p && n)
		memcpy(p, v, n);
}

/* A NUL-terminated UTF-8 string; the terminator is not sent. */
static inline void ovpd_put_string(struct ovpd_writer *w, const char *name, const char *s)
{
	size_t n = strlen(s);
	uint8_t *p = ovpd_put_field(w, OVPD_T_STRING, name, n);
	if (p && n)
		memcpy(p, s, n);
}

/*
 * Opens a NESTED field; add its fields, then ovpd_nest_end() with the returned mark.
 *   size_t m = ovpd_nest_begin(&w, OVPD_F_REMOTE);
 *   ovpd_put_bytes(&w, OVPD_F_ADDRESS, &sin.sin_addr, 4);
 *   ovpd_put_u64(&w, OVPD_F_PORT, ntohs(sin.sin_port));
 *   ovpd_nest_end(&w, m);
 */
static inline size_t ovpd_nest_begin(struct ovpd_writer *w, const char *name)
{
	size_t mark = w->len;

	if (w->depth >= OVPD_MAX_DEPTH) {
		w->failed = 1;
		return 0;
	}
	if (!ovpd_put_field(w, OVPD_T_NESTED, name, 0))
		return 0;
	w->depth++;
	return mark;
}

static inline void ovpd_nest_end(struct ovpd_writer *w, size_t mark)
{
	size_t name_len;

	if (w->failed)
		return;
	w->depth--;
	name_len = w->buf[mark + 1];
	ovpd_be32_put(w->buf + mark + 2 + name_len,
		      (uint32_t)(w->len - (mark + OVPD_FIELD_OVERHEAD + name_len)));
}

/* Patches the payload length; returns the message's size in bytes, or 0 if it failed. */
static inline size_t ovpd_finish(struct ovpd_writer *w)
{
	if (w->failed || w->depth != 0)
		return 0;
	ovpd_be32_put(w->buf + 12, (uint32_t)(w->len - OVPD_HEADER_BYTES));
	return w->len;
}

/* ------------------------------------------------------------------ reading */

struct ovpd_message {
	uint8_t        kind;      /* OVPD_KIND_* */
	uint8_t        flags;     /* OVPD_FLAG_* */
	uint16_t       code;
	uint32_t       sequence;
	const uint8_t *payload;
	uint32_t       length;
};

/*
 * Checks the header of a received datagram. Returns 0, or an OVPD_E* errno with *why set to
 * a static message. The fields are checked as they are iterated.
 */
static inline int ovpd_parse(const void *datagram, size_t len, struct ovpd_message *m,
			     const char **why)
{
	const uint8_t *p = (const uint8_t *)datagram;
	uint8_t kind, flags;

	*why = NULL;
	if (len > OVPD_MAX_MESSAGE_BYTES) {
		*why = "message too big";
		return OVPD_E2BIG;
	}
	if (len < OVPD_HEADER_BYTES) {
		*why = "shorter than the header";
		return OVPD_EINVAL;
	}
	if (ovpd_be32_get(p) != OVPD_MAGIC) {
		*why = "bad magic";
		return OVPD_EINVAL;
	}
	if (p[4] != OVPD_VERSION) {
		*why = "unsupported version";
		return OVPD_EPROTONOSUPPORT;
	}
	kind = (uint8_t)(p[5] & OVPD_KIND_MASK);
	flags = (uint8_t)(p[5] & OVPD_FLAGS_MASK);
	if (kind < OVPD_KIND_REQUEST || kind > OVPD_KIND_NOTIFICATION) {
		*why = "unknown kind";
		return OVPD_EINVAL;
	}
	if ((flags & ~OVPD_FLAG_MORE) != 0 || ((flags & OVPD_FLAG_MORE) && kind != OVPD_KIND_REPLY)) {
		*why = "bad flags";
		return OVPD_EINVAL;
	}
	if (ovpd_be32_get(p + 12) != len - OVPD_HEADER_BYTES) {
		*why = "payload length does not match the datagram";
		return OVPD_EINVAL;
	}
	m->kind = kind;
	m->flags = flags;
	m->code = ovpd_be16_get(p + 6);
	m->sequence = ovpd_be32_get(p + 8);
	m->payload = p + OVPD_HEADER_BYTES;
	m->length = (uint32_t)(len - OVPD_HEADER_BYTES);
	return 0;
}

/* One field as found in a buffer; name is NOT NUL-terminated, value points into the buffer. */
struct ovpd_field {
	uint8_t        type;
	uint8_t        name_len;
	const char    *name;
	uint32_t       len;
	const uint8_t *value;
};

struct ovpd_iter {
	const uint8_t *pos;
	const uint8_t *end;
	int            depth;
};

static inline void ovpd_iter_init(struct ovpd_iter *it, const struct ovpd_message *m)
{
	it->pos = m->payload;
	it->end = m->payload + m->length;
	it->depth = 0;
}

/*
 * The next field: 1 and *f filled, 0 at the end, -1 if the bytes are malformed (stop there).
 * Every length is checked against what is left. Fields of unknown types are returned too;
 * skip them. STRING values are not checked for UTF-8 here.
 */
static inline int ovpd_iter_next(struct ovpd_iter *it, struct ovpd_field *f)
{
	size_t left = (size_t)(it->end - it->pos);
	size_t n;

	if (left == 0)
		return 0;
	if (left < OVPD_FIELD_OVERHEAD + 1)
		return -1;
	n = it->pos[1];
	if (left < OVPD_FIELD_OVERHEAD + n || !ovpd_name_valid((const char *)it->pos + 2, n))
		return -1;
	f->type = it->pos[0];
	f->name_len = (uint8_t)n;
	f->name = (const char *)it->pos + 2;
	f->len = ovpd_be32_get(it->pos + 2 + n);
	if (f->len > left - OVPD_FIELD_OVERHEAD - n)
		return -1;
	f->value = it->pos + OVPD_FIELD_OVERHEAD + n;
	it->pos = f->value + f->len;
	return 1;
}

/* An iterator over the fields inside NESTED field f; -1 if f is not NESTED or too deep. */
static inline int ovpd_iter_nested(const struct ovpd_iter *parent, const struct ovpd_field *f,
				   struct ovpd_iter *child)
{
	if (f->type != OVPD_T_NESTED || parent->depth >= OVPD_MAX_DEPTH)
		return -1;
	child->pos = f->value;
	child->end = f->value + f->len;
	child->depth = parent->depth + 1;
	return 0;
}

static inline int ovpd_field_is(const struct ovpd_field *f, const char *name)
{
	size_t n = strlen(name);
	return n == f->name_len && memcmp(f->name, name, n) == 0;
}

/* 0 and *v set, or -1 if f is not a well-formed U64. */
static inline int ovpd_field_u64(const struct ovpd_field *f, uint64_t *v)
{
	if (f->type != OVPD_T_U64 || f->len != 8)
		return -1;
	*v = ovpd_be64_get(f->value);
	return 0;
}

static inline int ovpd_field_bool(const struct ovpd_field *f, int *v)
{
	if (f->type != OVPD_T_BOOL || f->len != 1 || f->value[0] > 1)
		return -1;
	*v = f->value[0];
	return 0;
}

/*
 * A top-level U64 of a message, e.g. a reply's "error": 0 and *v set, -1 if absent, not a
 * U64 or the payload is malformed before it.
 */
static inline int ovpd_find_u64(const struct ovpd_message *m, const char *name, uint64_t *v)
{
	struct ovpd_iter it;
	struct ovpd_field f;

	ovpd_iter_init(&it, m);
	while (ovpd_iter_next(&it, &f) == 1) {
		if (ovpd_field_is(&f, name))
			return ovpd_field_u64(&f, v);
	}
	return -1;
}

#endif /* OVPN_DPDK_CONTROL_H */

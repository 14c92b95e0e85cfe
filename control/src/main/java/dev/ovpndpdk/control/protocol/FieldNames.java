package dev.ovpndpdk.control.protocol;

/**
 * The catalogue of field names. Names are API: a name keeps its type and meaning forever;
 * new ones may be added, none is ever reused for something else. Which command takes which
 * field is in docs/control-protocol.md, "Commands"; the names follow Linux {@code ovpn}'s
 * attributes (spec §5.1) in lower case, so {@code OVPN_A_PEER_VPN_RX_BYTES} is
 * {@code vpn_rx_bytes}.
 */
public final class FieldNames {
    private FieldNames() {
    }

    // --- Every reply (docs: "Error model") ---

    /** U64: 0 on success, else a Linux errno ({@link Errno}). First field of every reply. */
    public static final String ERROR = "error";
    /** STRING: what went wrong, for people; always present when error != 0. */
    public static final String MESSAGE = "message";

    // --- Peers ---

    /** U64 ≤ {@link #PEER_ID_MAX}: the 24-bit peer-id of P_DATA_V2. */
    public static final String PEER_ID = "peer_id";
    public static final long PEER_ID_MAX = 0xFFFFFF;
    /** NESTED sockaddr ({@link SockAddrField}): the peer's transport address. */
    public static final String REMOTE = "remote";
    /** NESTED sockaddr: our address for this peer (multihome); port 0 = the socket's port. */
    public static final String LOCAL = "local";
    /** U64: index into the file descriptors passed with this datagram (SCM_RIGHTS), usually 0. */
    public static final String SOCKET = "socket";
    /** BYTES 4: the peer's IPv4 address inside the tunnel. */
    public static final String VPN_IPV4 = "vpn_ipv4";
    /** BYTES 16: the peer's IPv6 address inside the tunnel. */
    public static final String VPN_IPV6 = "vpn_ipv6";
    /** U64 seconds: send a keepalive ping after this long without sending (0 = never). */
    public static final String KEEPALIVE_INTERVAL = "keepalive_interval";
    /** U64 seconds: delete the peer (EXPIRED) after this long without receiving (0 = never). */
    public static final String KEEPALIVE_TIMEOUT = "keepalive_timeout";
    /** Upper bound for both keepalive fields, as Linux's policy (spec §5.1). */
    public static final long KEEPALIVE_MAX = 86400;
    /** NESTED, repeated: one per peer in a GET_PEER reply. */
    public static final String PEER = "peer";

    // --- Sockaddr nest ({@link SockAddrField}) ---

    /** BYTES 4 or 16 (sockaddr, prefix): the address, network order; the length gives the family. */
    public static final String ADDRESS = "address";
    /** U64 0..65535: the UDP port as a number (host order, not sin_port's bytes). */
    public static final String PORT = "port";
    /** U64: IPv6 scope id (interface index); only with a 16-byte address. */
    public static final String SCOPE_ID = "scope_id";

    // --- Keys ---

    /** U64: {@link #SLOT_PRIMARY} or {@link #SLOT_SECONDARY}. */
    public static final String SLOT = "slot";
    public static final long SLOT_PRIMARY = 0;
    public static final long SLOT_SECONDARY = 1;
    /** U64 0..{@link #KEY_ID_MAX}: the key-id of the opcode byte. */
    public static final String KEY_ID = "key_id";
    public static final long KEY_ID_MAX = 7;
    /** STRING: OpenVPN's cipher name ("AES-256-GCM", "CHACHA20-POLY1305"). */
    public static final String CIPHER = "cipher";
    /** NESTED key direction: how we encrypt to the peer. */
    public static final String ENCRYPT = "encrypt";
    /** NESTED key direction: how we decrypt from the peer. */
    public static final String DECRYPT = "decrypt";
    /** BYTES 16, 24 or 32 (inside encrypt/decrypt): the AEAD key. Secret. */
    public static final String KEY = "key";
    /** BYTES exactly {@link #NONCE_TAIL_BYTES} (inside encrypt/decrypt): the implicit IV. Secret. */
    public static final String NONCE_TAIL = "nonce_tail";
    public static final int NONCE_TAIL_BYTES = 8;
    /** U64 (GET_KEY): the packet-id of the last packet sent with the key, 0 if none yet. */
    public static final String TX_PACKET_ID = "tx_packet_id";
    /** U64 (GET_KEY): AEAD usage so far, both directions: plaintext 16-byte blocks + packets (OpenVPN 2.7's count). */
    public static final String AEAD_USAGE = "aead_usage";
    /** U64 (GET_KEY): received packets of this key whose tag did not verify. */
    public static final String FAILED_VERIFICATIONS = "failed_verifications";

    // --- Routes ---

    /** NESTED ({@link PrefixField}): an iroute, address/prefix_len; repeated in GET_PEER. */
    public static final String PREFIX = "prefix";
    /** U64 (inside prefix): 0..32 for a 4-byte address, 0..128 for 16 bytes. */
    public static final String PREFIX_LEN = "prefix_len";

    // --- Counters (GET_PEER, GET_STATS, PEER_DELETED): U64, Linux's names ---

    /** Plaintext bytes received from peers and delivered to the tunnel. */
    public static final String VPN_RX_BYTES = "vpn_rx_bytes";
    public static final String VPN_TX_BYTES = "vpn_tx_bytes";
    public static final String VPN_RX_PACKETS = "vpn_rx_packets";
    public static final String VPN_TX_PACKETS = "vpn_tx_packets";
    /** Ciphertext bytes on the wire side, OpenVPN header included. */
    public static final String LINK_RX_BYTES = "link_rx_bytes";
    public static final String LINK_TX_BYTES = "link_tx_bytes";
    public static final String LINK_RX_PACKETS = "link_rx_packets";
    public static final String LINK_TX_PACKETS = "link_tx_packets";
    /** Prefix of the per-reason drop counters, e.g. drop_replay; the engine defines the reasons. */
    public static final String DROP_PREFIX = "drop_";
    /** U64 (GET_STATS, PING): the number of peers installed. */
    public static final String PEER_COUNT = "peer_count";

    // --- Notifications ---

    /** U64: {@link dev.ovpndpdk.dataplane.engine.DeleteReason} code, Linux numbering. */
    public static final String REASON = "reason";
    /** STRING: {@link dev.ovpndpdk.dataplane.engine.DeleteReason#reasonName()}, for logs. */
    public static final String REASON_NAME = "reason_name";
    /** U64: NOTIFICATIONS_LOST: how many notifications this subscriber missed. */
    public static final String MISSED = "missed";

    // --- PING ---

    /** U64: the protocol version the daemon speaks ({@link MessageCodec#VERSION}). */
    public static final String PROTOCOL_VERSION = "protocol_version";
    /** STRING: the daemon's release, e.g. "0.1.0". */
    public static final String DAEMON_VERSION = "daemon_version";
    /** STRING: the daemon's mode, {@code p2p} or {@code mp}. */
    public static final String MODE = "mode";
    /** STRING: the tunnel interface the daemon serves. */
    public static final String TUN = "tun";
    /** STRING: the port backend, {@code socket} or {@code dpdk}. */
    public static final String BACKEND = "backend";
    /** PING, GET_STATS: the crypto engine in use ({@code aesni}, {@code jdk}, {@code cryptodev}, {@code qat}). */
    public static final String CRYPTO = "crypto";
    /** PING: one line on it (library, device, driver). */
    public static final String CRYPTO_ENGINE = "crypto_engine";
    /** NESTED sockaddr: the UDP address the daemon owns ({@code --listen}). */
    public static final String LISTEN = "listen";
    /** U64: the tunnel MTU the backend needs; absent when any will do. */
    public static final String TUN_MTU = "tun_mtu";
    /** STRING, repeated: a capability beyond protocol version 1's commands: the {@code FEATURE_*} values. */
    public static final String FEATURE = "feature";
    /** {@code attach}: the ATTACH command, and peers that leave with their owner. */
    public static final String FEATURE_ATTACH = "attach";
    /** {@code peer_float}: PEER_FLOAT notifications. */
    public static final String FEATURE_PEER_FLOAT = "peer_float";
    /** {@code local}: NEW_PEER's {@code local} is the address replies leave from. */
    public static final String FEATURE_LOCAL = "local";

    /** The name of the drop counter for {@code reason} (lower_snake, e.g. "auth_failed"). */
    public static String drop(String reason) {
        String name = DROP_PREFIX + reason;
        if (reason.isEmpty() || !Field.isValidName(name)) {
            throw new IllegalArgumentException("invalid drop reason \"" + reason + "\"");
        }
        return name;
    }

    /** Fields whose value must never be logged ({@link Field.Bytes#toString()}). */
    public static boolean isSecret(String name) {
        return KEY.equals(name) || NONCE_TAIL.equals(name);
    }
}

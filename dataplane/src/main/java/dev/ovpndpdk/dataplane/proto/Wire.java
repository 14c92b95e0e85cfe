package dev.ovpndpdk.dataplane.proto;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The OpenVPN data channel's wire format, as OpenVPN 2.4–2.6 put it on the wire (spec §1).
 *
 * <pre>
 * P_DATA_V2 (spec §1.2, §1.3):
 *   offset 0   4 bytes  opcode(5 bits) | key-id(3 bits) | peer-id(24 bits), big-endian
 *   offset 4   4 bytes  packet-id, big-endian
 *   offset 8  16 bytes  AEAD tag
 *   offset 24  n bytes  ciphertext (n = plaintext length)
 *   AD    = bytes [0, 8)
 *   nonce = packet-id (4 bytes, as on the wire) ‖ nonce tail (8 bytes, per key direction)
 * </pre>
 */
public final class Wire {
    private Wire() {
    }

    /** Opcode in the high 5 bits of byte 0, key-id in the low 3 (spec §1.1). */
    public static final int OPCODE_SHIFT = 3;
    public static final int KEY_ID_MASK = 0x07;
    public static final int MAX_KEY_ID = 7;

    public static final int P_CONTROL_HARD_RESET_CLIENT_V1 = 1;
    public static final int P_CONTROL_HARD_RESET_SERVER_V1 = 2;
    public static final int P_CONTROL_SOFT_RESET_V1 = 3;
    public static final int P_CONTROL_V1 = 4;
    public static final int P_ACK_V1 = 5;
    public static final int P_DATA_V1 = 6;
    public static final int P_CONTROL_HARD_RESET_CLIENT_V2 = 7;
    public static final int P_CONTROL_HARD_RESET_SERVER_V2 = 8;
    public static final int P_DATA_V2 = 9;
    public static final int P_CONTROL_HARD_RESET_CLIENT_V3 = 10;
    public static final int P_CONTROL_WKC_V1 = 11;

    /** Peer-ids are 24 bits; 0xFFFFFF means "undefined" (spec §1.2, MAX_PEER_ID). */
    public static final int PEER_ID_MASK = 0xFFFFFF;
    public static final int PEER_ID_UNDEF = 0xFFFFFF;

    public static final int OPCODE_PEER_ID_OFFSET = 0;
    public static final int PACKET_ID_OFFSET = 4;
    public static final int TAG_OFFSET = 8;
    public static final int TAG_LENGTH = 16;
    public static final int CIPHERTEXT_OFFSET = 24;

    /** Header + packet-id + tag in front of every P_DATA_V2 ciphertext. */
    public static final int DATA_V2_OVERHEAD = CIPHERTEXT_OFFSET;
    /** AD: the 4-byte opcode/peer-id word and the 4-byte packet-id. */
    public static final int AD_LENGTH = 8;
    public static final int NONCE_TAIL_LENGTH = 8;

    /**
     * Shortest P_DATA_V2 packet accepted: OpenVPN userspace insists on at least one plaintext
     * byte ({@code openvpn_decrypt_aead} min_packet_len); Linux drops the empty plaintext
     * later as a "NULL packet". Either way an empty payload never reaches the tunnel.
     */
    public static final int DATA_V2_MIN_LENGTH = DATA_V2_OVERHEAD + 1;

    /** The 16-byte keepalive ping payload (spec §1.5, OpenVPN ping.c). */
    public static final byte[] PING = hex("2a187bf3641eb4cb07ed2d0a981fc748");
    /** The 16-byte OCC magic; followed by one OCC opcode byte (spec §1.5, occ.c). */
    public static final byte[] OCC_MAGIC = hex("287f346bd4ef7a812d56b8d3afc5459c");
    public static final int OCC_EXIT = 6;

    /** TX packet-id at which OpenVPN userspace starts a renegotiation (PACKET_ID_WRAP_TRIGGER). */
    public static final long PACKET_ID_REKEY = 0xFF000000L;
    /** The last packet-id a key may send; the short form never wraps (spec §1.6). */
    public static final long PACKET_ID_LAST = 0xFFFFFFFFL;

    /** Big-endian unaligned accessors for packet memory. */
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The first byte of a packet: {@code opcode << 3 | key-id}. */
    public static int opcodeByte(int opcode, int keyId) {
        return (opcode << OPCODE_SHIFT) | (keyId & KEY_ID_MASK);
    }

    /** The first 4-byte word of a P_DATA_V2 packet. */
    public static int dataV2Word(int keyId, int peerId) {
        return (opcodeByte(P_DATA_V2, keyId) << 24) | (peerId & PEER_ID_MASK);
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}

package dev.ovpndpdk.crypto;

import java.util.Locale;

/**
 * The AEAD ciphers a DCO data plane accepts (spec §1.3 "Ciphers DCO accepts"): the three
 * AES-GCM key sizes and ChaCha20-Poly1305, named as OpenVPN names them on its command
 * line. Tag 16 bytes and nonce 12 bytes for all of them.
 */
public enum CipherAlg {
    AES_128_GCM("AES-128-GCM", 16),
    AES_192_GCM("AES-192-GCM", 24),
    AES_256_GCM("AES-256-GCM", 32),
    CHACHA20_POLY1305("CHACHA20-POLY1305", 32);

    public static final int TAG_LENGTH = 16;
    public static final int NONCE_LENGTH = 12;

    private final String openvpnName;
    private final int keyLength;

    CipherAlg(String openvpnName, int keyLength) {
        this.openvpnName = openvpnName;
        this.keyLength = keyLength;
    }

    /** The name OpenVPN uses ({@code --data-ciphers}), e.g. {@code AES-256-GCM}. */
    public String openvpnName() {
        return openvpnName;
    }

    /** Bytes of the cipher key taken from the front of a 64-byte {@code struct key} cipher field. */
    public int keyLength() {
        return keyLength;
    }

    public boolean isAesGcm() {
        return this != CHACHA20_POLY1305;
    }

    /**
     * Parses OpenVPN's name, case-insensitively; also accepts the Java-style constant name
     * ({@code aes_256_gcm}) and the short {@code chachapoly} of Linux's ovpn-cli.
     *
     * @throws IllegalArgumentException naming the accepted ciphers
     */
    public static CipherAlg parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (CipherAlg a : values()) {
            if (a.openvpnName.equals(n) || a.name().equals(n)) {
                return a;
            }
        }
        if (n.equals("CHACHAPOLY")) {
            return CHACHA20_POLY1305;
        }
        throw new IllegalArgumentException("unknown cipher '" + name + "' (expected one of "
                + "AES-128-GCM, AES-192-GCM, AES-256-GCM, CHACHA20-POLY1305)");
    }

    @Override
    public String toString() {
        return openvpnName;
    }
}

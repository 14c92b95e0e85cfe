package dev.ovpndpdk.dataplane.proto;

import java.util.Locale;

/**
 * Which end of the session we are; decides which half of the 256-byte key block encrypts
 * (spec §2.2): keys[0] is client→server, keys[1] server→client.
 */
public enum Role {
    CLIENT, SERVER;

    /** Index into {@code key2.keys[]} of the direction this role sends with. */
    public int encryptIndex() {
        return this == CLIENT ? 0 : 1;
    }

    /** Index into {@code key2.keys[]} of the direction this role receives with. */
    public int decryptIndex() {
        return 1 - encryptIndex();
    }

    public static Role parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "client" -> CLIENT;
            case "server" -> SERVER;
            default -> throw new IllegalArgumentException("unknown role '" + s + "' (expected client or server)");
        };
    }
}

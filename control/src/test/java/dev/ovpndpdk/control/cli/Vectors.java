package dev.ovpndpdk.control.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository's {@code vectors/openvpn-2.6-aes-256-gcm}, the real OpenVPN 2.6
 * capture: {@code -Dovpn.vectors.dir} when set, else {@code vectors/} in the working
 * directory (surefire runs in the module) or any parent. Missing, the tests fail rather
 * than skip.
 */
final class Vectors {
    static final String SESSION = "openvpn-2.6-aes-256-gcm";

    private Vectors() {
    }

    static Path dir() {
        String prop = System.getProperty("ovpn.vectors.dir");
        if (prop != null) {
            return Path.of(prop, SESSION);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path v = p.resolve("vectors").resolve(SESSION);
            if (Files.isDirectory(v)) {
                return v;
            }
        }
        throw new IllegalStateException("vectors/" + SESSION + " not found in " + Path.of("").toAbsolutePath()
                + " or a parent");
    }

    static Path wire() {
        return dir().resolve("wire.pcap");
    }

    static Path keyMaterial() {
        return dir().resolve("key-material.hex");
    }
}

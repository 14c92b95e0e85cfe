package dev.ovpndpdk.control.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the real OpenVPN 2.6 capture in {@code shared/vectors}: the {@code ovpn.shared.dir}
 * property (the parent POM sets it to the repository's sibling {@code shared}), else a walk
 * up from the working directory looking for {@code shared/} inside or beside each ancestor.
 * The vectors are required: missing, the tests fail rather than skip.
 */
final class SharedVectors {
    static final String SESSION = "openvpn-2.6-aes-256-gcm";

    private SharedVectors() {
    }

    static Path dir() {
        String prop = System.getProperty("ovpn.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop, "vectors", SESSION))) {
            return Path.of(prop, "vectors", SESSION);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path shared : new Path[] {p.resolve("shared"), p.resolveSibling("shared")}) {
                Path v = shared.resolve("vectors").resolve(SESSION);
                if (Files.isDirectory(v)) {
                    return v;
                }
            }
        }
        throw new IllegalStateException("shared/vectors/" + SESSION + " not found (looked at -Dovpn.shared.dir="
                + prop + " and beside every parent of " + Path.of("").toAbsolutePath() + ")");
    }

    static Path wire() {
        return dir().resolve("wire.pcap");
    }

    static Path keyMaterial() {
        return dir().resolve("key-material.hex");
    }
}

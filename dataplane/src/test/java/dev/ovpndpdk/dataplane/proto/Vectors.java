package dev.ovpndpdk.dataplane.proto;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code shared/vectors}, the OpenVPN 2.6 capture beside the repository. */
final class Vectors {
    private Vectors() {
    }

    static Path dir() {
        String prop = System.getProperty("ovpn.vectors.dir");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path v = p.resolve("shared/vectors/openvpn-2.6-aes-256-gcm");
            if (Files.isDirectory(v)) {
                return v;
            }
            v = p.resolveSibling("shared").resolve("vectors/openvpn-2.6-aes-256-gcm");
            if (Files.isDirectory(v)) {
                return v;
            }
        }
        throw new IllegalStateException("shared/vectors/openvpn-2.6-aes-256-gcm not found next to the repository");
    }
}

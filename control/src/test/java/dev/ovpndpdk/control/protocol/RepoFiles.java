package dev.ovpndpdk.control.protocol;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository (docs/) from wherever the tests run (the module directory). */
final class RepoFiles {
    private RepoFiles() {
    }

    static Path docs() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path header = p.resolve("docs").resolve("ovpn-dpdk-control.h");
            if (Files.isRegularFile(header)) {
                return header.getParent();
            }
        }
        throw new IllegalStateException("docs/ovpn-dpdk-control.h not found above " + Path.of("").toAbsolutePath());
    }
}

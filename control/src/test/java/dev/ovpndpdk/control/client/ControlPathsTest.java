package dev.ovpndpdk.control.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ControlPathsTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultSocketIsNamedAfterTheTunnel() {
        assertEquals(Path.of("/run/ovpn-dpdk/ovpn0.sock"), ControlPaths.forTunnel("ovpn0"));
    }

    @Test
    void noSocketMeansNoDaemon() {
        IOException e = assertThrows(IOException.class, () -> ControlPaths.discover(dir));
        assertEquals("no daemon running (no socket in " + dir + ")", e.getMessage());
        e = assertThrows(IOException.class, () -> ControlPaths.discover(dir.resolve("absent")));
        assertTrue(e.getMessage().startsWith("no daemon running"), e.getMessage());
    }

    @Test
    void theOnlySocketIsTaken() throws IOException {
        Files.createFile(dir.resolve("ovpn0.sock"));
        Files.createFile(dir.resolve("notes.txt"));
        assertEquals(dir.resolve("ovpn0.sock"), ControlPaths.discover(dir));
    }

    @Test
    void severalSocketsNeedAChoice() throws IOException {
        Files.createFile(dir.resolve("b.sock"));
        Files.createFile(dir.resolve("a.sock"));
        IOException e = assertThrows(IOException.class, () -> ControlPaths.discover(dir));
        assertEquals("several daemons running (a.sock, b.sock in " + dir + "): choose one with --control", e.getMessage());
    }

    @Test
    void connectingWhereNoDaemonListensSaysSo() throws IOException {
        IOException e = assertThrows(IOException.class, () -> ControlClient.connect(dir.resolve("x.sock")));
        assertEquals("no daemon at " + dir.resolve("x.sock") + " (no such socket)", e.getMessage());
    }
}

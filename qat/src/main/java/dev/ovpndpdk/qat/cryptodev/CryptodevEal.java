package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.bindings.dpdk.RteEal;
import dev.ovpndpdk.bindings.dpdk.RteErrno;
import dev.ovpndpdk.bindings.dpdk.RteLcore;
import dev.ovpndpdk.bindings.libc.Affinity;
import dev.ovpndpdk.bindings.libc.ErrnoException;
import dev.ovpndpdk.bindings.libc.ProcessIds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * EAL for a crypto engine opened where no port backend started it: brought up once, bare (no
 * ports, no devices: the engine adds its vdevs with {@code rte_vdev_init}), and kept for the
 * life of the process — EAL cannot be initialised again after {@code rte_eal_cleanup}, and a
 * later engine (another PMD, a test) needs it. Its runtime directory goes at JVM exit.
 */
final class CryptodevEal {
    /** Unique per process: two JVMs must not share a runtime directory (async-crypto.md §5). */
    static final String FILE_PREFIX = "ovdcrypto" + ProcessHandle.current().pid();

    private static boolean startedHere;

    private CryptodevEal() {
    }

    /** Whether EAL is up in this process, started by anyone: it has lcores only once initialised. */
    static boolean isUp() {
        return RteLcore.rte_lcore_count() > 0;
    }

    /**
     * The arguments for software crypto PMDs: no hugepages (IOVA = VA, fine for CPU-only PMDs),
     * no PCI scan, and every CPU this thread may use as an lcore, so that
     * {@code crypto_scheduler,mode=multi-core,corelist=N} finds its worker lcores (idle EAL
     * lcores block on a pipe; they cost nothing until a scheduler launches work on them).
     */
    static List<String> softwareArguments() {
        List<String> args = new ArrayList<>(List.of("-l", lcoreList(), "--no-huge", "-m", "256", "--no-pci",
                "--file-prefix=" + FILE_PREFIX, "--log-level=*:warning", "--no-telemetry"));
        return args;
    }

    private static String lcoreList() {
        try {
            BitSet cpus = Affinity.currentThread();
            return cpus.stream().mapToObj(Integer::toString).collect(Collectors.joining(","));
        } catch (ErrnoException e) {
            return "0";
        }
    }

    /**
     * Starts EAL with {@code args} unless it is up. Runs {@code rte_eal_init} on a thread of its
     * own: EAL pins the calling thread to the main lcore, and the caller's threads must keep
     * their CPUs.
     *
     * @return true when this call started it
     * @throws IllegalStateException with EAL's reason when it fails
     */
    static synchronized boolean ensureUp(List<String> args) {
        if (isUp()) {
            return false;
        }
        int[] err = {0};
        Thread t = new Thread(() -> {
            if (RteEal.rte_eal_init(args.toArray(String[]::new)) < 0) {
                err[0] = Math.max(RteErrno.rte_errno(), 1);
            }
        }, "eal-init");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during rte_eal_init");
        }
        if (!startedHere && args.stream().anyMatch(a -> a.equals("--file-prefix=" + FILE_PREFIX))) {
            startedHere = true;
            // Also after a failed init: EAL creates the directory before it can fail.
            Runtime.getRuntime().addShutdownHook(new Thread(CryptodevEal::removeRuntimeDirectory, "eal-rundir"));
        }
        if (err[0] != 0) {
            throw new IllegalStateException("rte_eal_init: " + RteErrno.rte_strerror(err[0]) + " (rte_errno " + err[0]
                    + "); EAL arguments: " + String.join(" ", args));
        }
        return true;
    }

    /** /var/run/dpdk/PREFIX (or $XDG_RUNTIME_DIR/dpdk/PREFIX for non-root): EAL never removes it. */
    private static void removeRuntimeDirectory() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path base = ProcessIds.euid() == 0 || xdg == null ? Path.of("/var/run/dpdk") : Path.of(xdg, "dpdk");
        Path dir = base.resolve(FILE_PREFIX);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // At exit nobody can act on it; the next run uses another prefix.
        }
    }
}

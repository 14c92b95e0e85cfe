package dev.ovpndpdk.qat.cryptodev;

import dev.ovpndpdk.bindings.dpdk.RteBusVdev;
import dev.ovpndpdk.bindings.dpdk.RteCryptodev;
import dev.ovpndpdk.bindings.dpdk.RteErrno;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The device an engine is opened on, from what the operator wrote: either the name of a crypto
 * device that exists (a QAT VF, {@code 0000:3d:01.0_qat_sym}; used, never removed), or vdev
 * arguments as after {@code --vdev} ({@code crypto_aesni_gcm0},
 * {@code crypto_scheduler,worker=crypto_aesni_gcm0,mode=multi-core,corelist=1}), created with
 * {@code rte_vdev_init} and removed on close. A scheduler's workers are created first when they
 * do not exist, so one string describes the whole device.
 */
final class CryptoVdev {
    /** Debian's plugin directory (librte_eal's DPDK_PLUGIN_PATH): where EAL loads PMDs from. */
    static final Path PMD_DIR = Path.of("/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0");

    /** Vdev name prefix → the PMD's library and the Debian package that ships it. */
    private static final Map<String, String[]> PMDS = Map.of(
            "crypto_aesni_gcm", new String[] {"librte_crypto_ipsec_mb.so.23", "librte-crypto-ipsec-mb23"},
            "crypto_aesni_mb", new String[] {"librte_crypto_ipsec_mb.so.23", "librte-crypto-ipsec-mb23"},
            "crypto_chacha20_poly1305", new String[] {"librte_crypto_ipsec_mb.so.23", "librte-crypto-ipsec-mb23"},
            "crypto_openssl", new String[] {"librte_crypto_openssl.so.23", "librte-crypto-openssl23"},
            "crypto_scheduler", new String[] {"librte_crypto_scheduler.so.23", "librte-crypto-scheduler23"},
            "crypto_null", new String[] {"librte_crypto_null.so.23", "librte-crypto-null23"});

    /** The cryptodev's name, its id, and the vdevs created for it (to remove, last first). */
    final String name;
    final int dev;
    final List<String> created;

    private CryptoVdev(String name, int dev, List<String> created) {
        this.name = name;
        this.dev = dev;
        this.created = created;
    }

    /** Finds or creates the device; EAL must be up. */
    static CryptoVdev open(String devargs) {
        String spec = devargs.trim();
        int comma = spec.indexOf(',');
        String vdev = comma < 0 ? spec : spec.substring(0, comma);
        String args = comma < 0 ? "" : spec.substring(comma + 1);
        int existing = RteCryptodev.rte_cryptodev_get_dev_id(vdev);
        if (existing >= 0 && args.isEmpty()) {
            return new CryptoVdev(vdev, existing, List.of());
        }
        List<String> created = new ArrayList<>();
        try {
            for (String kv : args.split(",")) {
                if (kv.startsWith("worker=")) {
                    String worker = kv.substring("worker=".length());
                    if (RteCryptodev.rte_cryptodev_get_dev_id(worker) < 0) {
                        create(worker, "");
                        created.add(worker);
                    }
                }
            }
            create(vdev, args);
            created.add(vdev);
            // The scheduler names its cryptodev after name=, every other PMD after the vdev.
            String name = vdev;
            for (String kv : args.split(",")) {
                if (kv.startsWith("name=")) {
                    name = kv.substring("name=".length());
                }
            }
            int dev = RteCryptodev.rte_cryptodev_get_dev_id(name);
            if (dev < 0) {
                throw new IllegalStateException("vdev " + vdev + " was created but no crypto device is named " + name);
            }
            return new CryptoVdev(name, dev, List.copyOf(created));
        } catch (RuntimeException e) {
            removeAll(created);
            throw e;
        }
    }

    private static void create(String vdev, String args) {
        int rc = RteBusVdev.rte_vdev_init(vdev, args);
        if (rc == 0) {
            return;
        }
        String missing = missingPmd(vdev);
        String what = (args.isEmpty() ? vdev : vdev + "," + args);
        if (missing != null) {
            throw new IllegalStateException("rte_vdev_init(" + what + "): " + missing);
        }
        // 22.11 returns -1 (not an errno) when no driver takes the name, or the driver refused its arguments.
        throw new IllegalStateException("rte_vdev_init(" + what + ") failed ("
                + (rc == -1 ? "no loaded PMD takes this name or these arguments; crypto PMDs are crypto_aesni_gcm,"
                        + " crypto_aesni_mb, crypto_chacha20_poly1305, crypto_openssl, crypto_scheduler, crypto_null"
                        : RteErrno.rte_strerror(-rc) + ", " + rc) + ")");
    }

    /** One line naming the PMD library that is not installed, or null when it is there or unknown. */
    static String missingPmd(String vdev) {
        for (Map.Entry<String, String[]> e : PMDS.entrySet()) {
            if (vdev.startsWith(e.getKey())) {
                Path lib = PMD_DIR.resolve(e.getValue()[0]);
                return Files.exists(lib) ? null
                        : "crypto PMD " + e.getKey() + " is not installed (" + lib + "): apt-get install " + e.getValue()[1];
            }
        }
        return null;
    }

    /** Removes the vdevs this opened, the scheduler before its workers. Close the device first. */
    void remove() {
        removeAll(created);
    }

    private static void removeAll(List<String> vdevs) {
        for (int i = vdevs.size() - 1; i >= 0; i--) {
            RteBusVdev.rte_vdev_uninit(vdevs.get(i));
        }
    }
}

package dev.ovpndpdk.qat;

import dev.ovpndpdk.bindings.dpdk.Dpdk;
import dev.ovpndpdk.bindings.dpdk.RteCryptodev;
import dev.ovpndpdk.bindings.dpdk.RteCryptodevInfo;
import dev.ovpndpdk.bindings.dpdk.RteLcore;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.qat.cryptodev.CryptodevEngine;
import dev.ovpndpdk.qat.qatlib.QatUnavailableException;
import dev.ovpndpdk.qat.qatlib.QatlibEngine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's {@code --crypto} choice (ARCHITECTURE.md, "Crypto backends"):
 * {@code auto|aesni|jdk|cryptodev[:DEVARGS]|qat}. Every choice has a software engine (for the
 * packets that stay on the worker's core: below the size threshold, or a cipher the device
 * lacks); {@code cryptodev} and {@code qat} add an asynchronous one, and {@code auto} adds QAT
 * where there is one — qatlib first, then a QAT device DPDK already drives.
 */
public final class AsyncEngines {
    private static final Logger LOG = Logger.getLogger(AsyncEngines.class.getName());
    /** {@code cryptodev} without arguments, when no crypto device exists yet: ipsec-mb's, both ciphers. */
    public static final String DEFAULT_VDEV = "crypto_aesni_mb0";
    /** The driver name of DPDK's QAT symmetric crypto PMD. */
    static final String QAT_DRIVER = "crypto_qat";

    /** What kind of asynchronous engine the choice asks for. */
    public enum Offload { NONE, AUTO, CRYPTODEV, QAT }

    /**
     * A parsed {@code --crypto}.
     *
     * @param software {@code auto}, {@code aesni} or {@code jdk}: the synchronous engine
     * @param offload  the asynchronous one
     * @param devargs  {@code cryptodev:}'s device name or vdev arguments; null for the default
     */
    public record Choice(String software, Offload offload, String devargs) {

        /** @throws IllegalArgumentException naming the accepted values */
        public static Choice parse(String s) {
            String c = s.trim();
            String lower = c.toLowerCase(Locale.ROOT);
            if (lower.equals("cryptodev") || lower.startsWith("cryptodev:")) {
                String args = c.length() > "cryptodev".length() ? c.substring("cryptodev:".length()).trim() : "";
                return new Choice("auto", Offload.CRYPTODEV, args.isEmpty() ? null : args);
            }
            return switch (lower) {
                case "auto" -> new Choice("auto", Offload.AUTO, null);
                case "aesni", "ipsec-mb", "ipsecmb" -> new Choice("aesni", Offload.NONE, null);
                case "jdk" -> new Choice("jdk", Offload.NONE, null);
                case "qat" -> new Choice("auto", Offload.QAT, null);
                default -> throw new IllegalArgumentException("unknown crypto engine '" + s
                        + "' (expected auto, aesni, jdk, cryptodev[:DEVARGS] or qat)");
            };
        }
    }

    private AsyncEngines() {
    }

    /**
     * Opens the asynchronous engine {@code c} asks for, with a queue for each of {@code workers}.
     * Call it after the port backend started (a DPDK backend's EAL is then up, and its QAT
     * devices are visible); without one, a cryptodev engine starts an EAL of its own.
     *
     * @param packetsInMbufs the port backend's packets are in DPDK mbufs (the DPDK backend); a
     *                       hardware cryptodev takes nothing else
     * @return the engine, or null when the choice has none ({@code aesni}, {@code jdk}, and
     *         {@code auto} where there is no QAT: one log line says why)
     * @throws IllegalArgumentException {@code cryptodev} or {@code qat} cannot run here: one line
     */
    public static AsyncAeadEngine open(Choice c, int workers, boolean packetsInMbufs) {
        return switch (c.offload()) {
            case NONE -> null;
            case CRYPTODEV -> cryptodev(c.devargs() != null ? c.devargs() : firstDevice(DEFAULT_VDEV), workers, packetsInMbufs);
            case QAT, AUTO -> {
                String[] why = new String[2];
                AsyncAeadEngine e = qat(workers, why, packetsInMbufs);
                if (e == null && c.offload() == Offload.QAT) {
                    throw new IllegalArgumentException("--crypto qat: no QAT here: " + why[0] + "; " + why[1]);
                }
                if (e == null) {
                    LOG.info(() -> "crypto: no QAT offload (" + why[0] + "; " + why[1] + "): software only");
                }
                yield e;
            }
        };
    }

    /** qatlib, else a QAT cryptodev; null with both reasons in {@code why}. */
    private static AsyncAeadEngine qat(int workers, String[] why, boolean packetsInMbufs) {
        try {
            return QatlibEngine.open(workers);
        } catch (QatUnavailableException e) {
            why[0] = "qatlib: " + e.getMessage();
        }
        String device = qatCryptodev();
        if (device == null) {
            why[1] = "DPDK: no " + QAT_DRIVER + " device (the DPDK backend's EAL sees QAT VFs given with"
                    + " -a <BDF>; docs/crypto-offload.md)";
            return null;
        }
        return cryptodev(device, workers, packetsInMbufs);
    }

    private static AsyncAeadEngine cryptodev(String devargs, int workers, boolean packetsInMbufs) {
        CryptodevEngine e;
        try {
            e = CryptodevEngine.open(devargs, workers);
        } catch (IllegalStateException | IllegalArgumentException x) {
            throw new IllegalArgumentException("--crypto cryptodev:" + devargs + ": " + x.getMessage(), x);
        }
        if (e.hardware() && !packetsInMbufs) {
            e.close();
            throw new IllegalArgumentException("--crypto cryptodev:" + devargs + ": " + e.deviceName() + " is a hardware"
                    + " device and DMAs to mbufs only, and these packets are in plain memory (the socket backend's,"
                    + " decrypt-pcap's): the daemon's DPDK backend hands it mbufs; qatlib (--crypto qat) copies instead");
        }
        return e;
    }

    /** The name of a QAT symmetric crypto device in the running EAL, or null (no EAL, no device). */
    static String qatCryptodev() {
        return whenEalUp(() -> {
            for (int d = 0; d < RteCryptodev.rte_cryptodev_count(); d++) {
                if (QAT_DRIVER.equals(driverName(d))) {
                    return RteCryptodev.rte_cryptodev_name_get(d);
                }
            }
            return null;
        });
    }

    private static String driverName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = RteCryptodevInfo.allocate(a);
            RteCryptodev.rte_cryptodev_info_get(dev, info);
            return RteCryptodevInfo.driver_name(info);
        }
    }

    /** An existing crypto device's name (the first), else {@code fallback}: vdev arguments to create one. */
    private static String firstDevice(String fallback) {
        String d = whenEalUp(() -> RteCryptodev.rte_cryptodev_count() > 0 ? RteCryptodev.rte_cryptodev_name_get(0) : null);
        return d != null ? d : fallback;
    }

    private static String whenEalUp(Supplier<String> s) {
        if (!Dpdk.isAvailable() || RteLcore.rte_lcore_count() <= 0) { // EAL has lcores only once up
            return null;
        }
        return s.get();
    }
}

package dev.ovpndpdk.aesni;

import dev.ovpndpdk.crypto.AeadEngine;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * Picks the software AEAD engine: {@code --crypto auto|aesni|jdk}. {@code auto} takes
 * intel-ipsec-mb when {@code libIPSec_MB.so} loads, else the JDK; the choice is logged once.
 */
public final class AeadEngines {
    private static final Logger LOG = Logger.getLogger(AeadEngines.class.getName());

    private AeadEngines() {
    }

    /**
     * @param choice {@code auto}, {@code aesni} (alias {@code ipsec-mb}) or {@code jdk}
     * @throws IllegalArgumentException for an unknown name, or {@code aesni} where the
     *         library is missing (the message says which package to install)
     */
    public static AeadEngine select(String choice) {
        String c = choice.toLowerCase(Locale.ROOT);
        AeadEngine engine = switch (c) {
            case "auto" -> IpsecMbEngine.isAvailable() ? IpsecMbEngine.create() : new JdkAeadEngine();
            case "aesni", "ipsec-mb", "ipsecmb" -> {
                if (!IpsecMbEngine.isAvailable()) {
                    throw new IllegalArgumentException("--crypto aesni: " + IpsecMbEngine.unavailableReason());
                }
                yield IpsecMbEngine.create();
            }
            case "jdk" -> new JdkAeadEngine();
            default -> throw new IllegalArgumentException("unknown crypto engine '" + choice
                    + "' (expected auto, aesni or jdk)");
        };
        LOG.info(() -> "crypto: " + engine.describe()
                + (c.equals("auto") && engine instanceof JdkAeadEngine
                        ? " (intel-ipsec-mb not available: " + IpsecMbEngine.unavailableReason() + ")" : ""));
        return engine;
    }
}

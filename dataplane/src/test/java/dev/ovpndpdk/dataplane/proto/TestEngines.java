package dev.ovpndpdk.dataplane.proto;

import dev.ovpndpdk.aesni.IpsecMbEngine;
import dev.ovpndpdk.aesni.JdkAeadEngine;
import dev.ovpndpdk.crypto.AeadEngine;

import java.util.ArrayList;
import java.util.List;

/** The engines every codec test runs against: the JDK always, intel-ipsec-mb where it loads. */
final class TestEngines {
    private TestEngines() {
    }

    static List<AeadEngine> all() {
        List<AeadEngine> l = new ArrayList<>();
        l.add(new JdkAeadEngine());
        if (IpsecMbEngine.isAvailable()) {
            l.add(IpsecMbEngine.create());
        } else {
            System.err.println("intel-ipsec-mb not available, codec tests run on the JDK engine only: "
                    + IpsecMbEngine.unavailableReason());
        }
        return l;
    }
}

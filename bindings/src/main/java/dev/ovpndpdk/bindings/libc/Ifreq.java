package dev.ovpndpdk.bindings.libc;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} ({@code net/if.h}): a 16-byte interface name followed by a 24-byte union;
 * we use its {@code ifr_flags} (short), {@code ifr_mtu} and {@code ifr_ifindex} (int) members,
 * all at offset 16.
 */
public final class Ifreq {

    /** Interface names are at most IFNAMSIZ - 1 = 15 bytes plus a NUL. */
    public static final int IFNAMSIZ = 16;

    public static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifr_flags"),
                    JAVA_INT.withName("ifr_mtu"),
                    JAVA_INT.withName("ifr_ifindex"),
                    // the union's largest member is struct ifmap (24 bytes, 8-aligned)
                    MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("ifr_map"))
                    .withName("ifr_ifru")).withName("ifreq");

    public static final long IFR_NAME = 0;
    public static final long IFR_FLAGS = IFREQ.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_flags"));
    public static final long IFR_MTU = IFREQ.byteOffset(
            MemoryLayout.PathElement.groupElement("ifr_ifru"), MemoryLayout.PathElement.groupElement("ifr_mtu"));
    public static final long IFR_IFINDEX = IFR_MTU;

    private Ifreq() {
    }

    /** A zeroed ifreq with {@code name} set (an empty name lets TUNSETIFF pick "tun%d"). */
    public static MemorySegment allocate(Arena arena, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than " + (IFNAMSIZ - 1) + " bytes: " + name);
        }
        MemorySegment ifr = arena.allocate(IFREQ); // zeroed
        MemorySegment.copy(b, 0, ifr, JAVA_BYTE, IFR_NAME, b.length);
        return ifr;
    }

    /** The name the kernel left in {@code ifr} (e.g. the one it chose for "tun%d"). */
    public static String name(MemorySegment ifr) {
        return ifr.getString(IFR_NAME, StandardCharsets.US_ASCII);
    }
}

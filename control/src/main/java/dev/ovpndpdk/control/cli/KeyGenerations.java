package dev.ovpndpdk.control.cli;

import dev.ovpndpdk.crypto.AeadEngine;
import dev.ovpndpdk.crypto.AsyncAeadEngine;
import dev.ovpndpdk.crypto.CipherAlg;
import dev.ovpndpdk.dataplane.proto.KeyMaterial;
import dev.ovpndpdk.dataplane.proto.KeySlot;
import dev.ovpndpdk.dataplane.proto.ReplayWindow;
import dev.ovpndpdk.dataplane.proto.Role;
import dev.ovpndpdk.dataplane.proto.Wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The key generations of one OpenVPN session, one per line of a key-material file, and which
 * line a packet's key-id stands for at a given point of a capture.
 *
 * <p>OpenVPN numbers a session's keys 0, 1, 2, …, 7, 1, 2, …: key-id 0 only for the first
 * key, then 1..7 round and round (ssl.c, {@code key_id_inc}). So line 1 carries key-id 0 and
 * line n ≥ 2 carries key-id {@code (n - 2) mod 7 + 1}; key-id 3 is lines 4, 11, 18, …
 *
 * <p>The rule: a key-id means the line that last decrypted a packet with that key-id (at
 * first, the first line carrying it). When that key fails to authenticate a packet, the
 * later lines carrying the key-id are tried in order, then the earlier ones, and the first
 * that authenticates becomes the key-id's current line. Why not a pure counting rule
 * ("advance when the key-id comes back after others")? Around each renegotiation the old
 * (lame-duck) key and the new one interleave on the wire — 1, 2, 1, 2, 2 — so a counting rule
 * would advance key-id 1 on its second appearance and get it wrong; and a capture may miss a
 * whole generation. The AEAD tag settles it: a wrong key cannot authenticate (2^-128), so
 * trying candidates never attributes a packet to the wrong generation, and in a normal
 * capture the first candidate is right and no extra work is done.
 */
final class KeyGenerations implements AutoCloseable {
    private static final int KEY_IDS = Wire.MAX_KEY_ID + 1;
    /** key-id 0 is never reused, so the others repeat with period 7. */
    private static final int CYCLE = Wire.MAX_KEY_ID;

    private final List<KeyMaterial> lines;
    private final AeadEngine engine;
    /** Where each slot also gets sessions (decrypt-pcap --crypto cryptodev|qat), or null. */
    private final AsyncAeadEngine offload;
    private final CipherAlg alg;
    /** [line - 1][role.ordinal()], built on first use. */
    private final KeySlot[][] slots;
    /** Current line per key-id, 0 when the file has no line with that key-id. */
    private final int[] current = new int[KEY_IDS];

    /** Takes ownership of {@code lines}: {@link #close()} zeroes them. */
    KeyGenerations(List<KeyMaterial> lines, AeadEngine engine, CipherAlg alg) {
        this(lines, engine, null, alg);
    }

    /**
     * As {@link #KeyGenerations(List, AeadEngine, CipherAlg)}, each slot with sessions on
     * {@code offload} as well ({@link KeySlot#asyncDecrypt()}) when it is not null. {@link #close()}
     * removes them: only once nothing is in flight on them.
     */
    KeyGenerations(List<KeyMaterial> lines, AeadEngine engine, AsyncAeadEngine offload, CipherAlg alg) {
        this.lines = List.copyOf(lines);
        this.engine = engine;
        this.offload = offload;
        this.alg = alg;
        this.slots = new KeySlot[lines.size()][Role.values().length];
        for (int k = 0; k < KEY_IDS; k++) {
            int first = k == 0 ? 1 : k + 1;
            current[k] = first <= lines.size() ? first : 0;
        }
    }

    /** The key-id OpenVPN gives the key on 1-based {@code line} of the file. */
    static int keyIdOfLine(int line) {
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1");
        }
        return line == 1 ? 0 : (line - 2) % CYCLE + 1;
    }

    int lineCount() {
        return lines.size();
    }

    /**
     * The lines to try for {@code keyId}, best first: the current one, then later lines
     * carrying it (a renegotiation), then earlier ones (a lame-duck key from before). Empty
     * when the file holds no key with this key-id.
     */
    int[] candidates(int keyId) {
        int cur = current[keyId];
        if (cur == 0) {
            return new int[0];
        }
        List<Integer> order = new ArrayList<>();
        order.add(cur);
        if (keyId != 0) {
            for (int l = cur + CYCLE; l <= lines.size(); l += CYCLE) {
                order.add(l);
            }
            for (int l = cur - CYCLE; l >= 2; l -= CYCLE) {
                order.add(l);
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Records that {@code line} authenticated a packet: its key-id now means this line. */
    void authenticated(int line) {
        current[keyIdOfLine(line)] = line;
    }

    /** The slot for {@code line} as seen by {@code role} (which half decrypts, which encrypts). */
    KeySlot slot(int line, Role role) {
        KeySlot[] perRole = slots[line - 1];
        KeySlot s = perRole[role.ordinal()];
        if (s == null) {
            // No replay check happens in this tool (DataChannel.open); the window size is moot.
            KeyMaterial km = lines.get(line - 1);
            s = KeySlot.create(engine, offload, keyIdOfLine(line), alg,
                    km.cipherKey(role.encryptIndex(), alg), km.nonceTail(role.encryptIndex()),
                    km.cipherKey(role.decryptIndex(), alg), km.nonceTail(role.decryptIndex()),
                    ReplayWindow.MIN_SIZE);
            perRole[role.ordinal()] = s;
        }
        return s;
    }

    /** Zeroes every key schedule built, removes every session, zeroes every line of key material. */
    @Override
    public void close() {
        for (KeySlot[] perRole : slots) {
            for (KeySlot s : perRole) {
                if (s != null) {
                    s.close();
                }
            }
        }
        lines.forEach(KeyMaterial::close);
    }
}

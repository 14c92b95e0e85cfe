package dev.ovpndpdk.dataplane.proto;

/**
 * A peer's two key slots, primary and secondary (spec §3.3, §5.4). The primary encrypts;
 * a received packet decrypts with whichever slot carries its key-id, primary first.
 *
 * <p>Readers (workers) take one immutable {@link Pair} per packet or burst with a plain
 * acquire load; the control thread, the only writer, publishes a new pair with one release
 * store. A replaced or deleted {@link KeySlot} is returned to the caller, which must close it
 * only after every worker has passed a grace period (ARCHITECTURE.md, snapshots).
 */
public final class KeySlots {

    public enum Slot { PRIMARY, SECONDARY }

    /** An immutable view of both slots; either may be null. */
    public record Pair(KeySlot primary, KeySlot secondary) {
        static final Pair EMPTY = new Pair(null, null);

        /** The slot that decrypts {@code keyId}: primary first, like Linux. */
        public KeySlot forKeyId(int keyId) {
            KeySlot p = primary;
            if (p != null && p.keyId() == keyId) {
                return p;
            }
            KeySlot s = secondary;
            if (s != null && s.keyId() == keyId) {
                return s;
            }
            return null;
        }

        KeySlot get(Slot slot) {
            return slot == Slot.PRIMARY ? primary : secondary;
        }

        Pair with(Slot slot, KeySlot k) {
            return slot == Slot.PRIMARY ? new Pair(k, secondary) : new Pair(primary, k);
        }
    }

    private volatile Pair pair = Pair.EMPTY;

    /** The current pair, read once per burst by a worker. */
    public Pair current() {
        return pair;
    }

    public KeySlot primary() {
        return pair.primary;
    }

    public KeySlot secondary() {
        return pair.secondary;
    }

    public KeySlot forKeyId(int keyId) {
        return pair.forKeyId(keyId);
    }

    public KeySlot get(Slot slot) {
        return pair.get(slot);
    }

    /** NEW_KEY: puts {@code key} into {@code slot}; returns the slot's previous key, to retire. */
    public KeySlot install(Slot slot, KeySlot key) {
        Pair p = pair;
        pair = p.with(slot, key);
        return p.get(slot);
    }

    /**
     * SWAP_KEYS: the secondary becomes primary and vice versa.
     *
     * @throws IllegalStateException when there is no secondary key (if_ovpn answers ENOLINK)
     */
    public void swap() {
        Pair p = pair;
        if (p.secondary == null) {
            throw new IllegalStateException("no secondary key to swap in");
        }
        pair = new Pair(p.secondary, p.primary);
    }

    /** DEL_KEY: empties {@code slot}; returns its key (or null), to retire after a grace period. */
    public KeySlot delete(Slot slot) {
        Pair p = pair;
        pair = p.with(slot, null);
        return p.get(slot);
    }

    /** Empties both slots; returns the pair that was there, to retire. */
    public Pair clear() {
        Pair p = pair;
        pair = Pair.EMPTY;
        return p;
    }
}

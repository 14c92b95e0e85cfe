package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.control.protocol.Errno;
import dev.ovpndpdk.control.protocol.ErrnoException;
import dev.ovpndpdk.dataplane.peer.Peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenVPN process attached to this daemon (ATTACH, docs/control-protocol.md) and the peers
 * it owns: those it created on its connection, which leave with it. Linux deletes a UDP
 * socket's peers when the socket closes; a process here is known by its control connection,
 * so its closing — exit, crash, SIGKILL — is the moment its peers go (G3). One process at a
 * time. Control thread only.
 */
final class Attachment {
    private Connection owner;
    /** Peer-id to the peer object the owner created: an id re-used by someone else is not ours. */
    private final Map<Integer, Peer> owned = new HashMap<>();

    /** Makes {@code c} the owner; EBUSY while another open connection is. */
    void attach(Connection c) throws ErrnoException {
        if (owner != null && owner != c) {
            throw new ErrnoException(Errno.EBUSY, "an OpenVPN process is attached already: " + owner);
        }
        owner = c;
    }

    Connection owner() {
        return owner;
    }

    /**
     * Whether {@code c} belongs to the attached process: its own connection, or another of the
     * same process (OpenVPN's notification connection). Those are never evicted.
     */
    boolean isOwnersProcess(Connection c) {
        return owner != null && (c == owner || c.credentials.pid() == owner.credentials.pid());
    }

    /** NEW_PEER on {@code c} created {@code p}: the owner's if {@code c} is the owner. */
    void created(Connection c, Peer p) {
        if (c == owner) {
            owned.put(p.id(), p);
        }
    }

    /** A peer left the table, for whatever reason: no longer anyone's to delete. */
    void removed(int peerId) {
        owned.remove(peerId);
    }

    /**
     * {@code c} closed. If it was the owner, the attachment ends and its peers are returned for
     * deletion (as they are: the caller checks each is still in the table); else empty.
     */
    Optional<List<Peer>> closed(Connection c) {
        if (c != owner) {
            return Optional.empty();
        }
        owner = null;
        List<Peer> left = new ArrayList<>(owned.values());
        owned.clear();
        return Optional.of(left);
    }
}

package dev.ovpndpdk.control.daemon;

import dev.ovpndpdk.bindings.libc.UnixSockets;

import dev.ovpndpdk.control.protocol.Message;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One client of the control socket, as the server sees it: who it is (peer credentials at
 * connect time), whether it may send requests, whether it subscribed, and the reply parts the
 * kernel did not take yet. The server never blocks on a client: what does not fit in the
 * socket buffer waits here, and the server reads no further request from this client until
 * it has gone (back-pressure instead of an unbounded queue).
 */
final class Connection {
    final int id;
    final int fd;
    final UnixSockets.PeerCredentials credentials;
    final boolean allowed;
    final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
    /**
     * The rest of a streamed reply (GET_PEER of all peers), one part built each time the
     * outbox has drained; null when none. Only ever with an empty outbox or its one part in it.
     */
    Iterator<Message> stream;
    boolean subscribed;
    boolean open = true;
    /** Close once the outbox is empty (after the EPERM reply to an unauthorised client). */
    boolean closeAfterFlush;
    /** Notifications dropped since the last one that went through (slow subscriber). */
    long missedNotifications;
    /** When it connected or last sent a request: the longest idle makes room when the socket is full. */
    long lastActiveNanos = System.nanoTime();

    Connection(int id, int fd, UnixSockets.PeerCredentials credentials, boolean allowed) {
        this.id = id;
        this.fd = fd;
        this.credentials = credentials;
        this.allowed = allowed;
    }

    @Override
    public String toString() {
        return "control client " + id + " (pid " + credentials.pid() + ", uid " + credentials.uid() + ")";
    }
}

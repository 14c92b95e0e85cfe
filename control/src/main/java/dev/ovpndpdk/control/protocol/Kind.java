package dev.ovpndpdk.control.protocol;

/**
 * What a control message is: the low four bits of header byte 5 (docs/control-protocol.md,
 * "Header"). The high four bits of that byte are flags ({@link MessageCodec#FLAG_MORE}).
 */
public enum Kind {
    /** Client to daemon; always answered by exactly one reply (possibly in several parts). */
    REQUEST(1),
    /** Daemon to client; echoes the request's code and sequence. */
    REPLY(2),
    /** Daemon to a subscribed client, unsolicited. */
    NOTIFICATION(3);

    private final int code;

    Kind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with this code, or null if there is none (the decoder refuses the message). */
    public static Kind fromCode(int code) {
        return switch (code) {
            case 1 -> REQUEST;
            case 2 -> REPLY;
            case 3 -> NOTIFICATION;
            default -> null;
        };
    }
}

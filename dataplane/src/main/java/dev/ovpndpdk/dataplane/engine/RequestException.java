package dev.ovpndpdk.dataplane.engine;

/**
 * A control request the engine refuses, with a kind the control socket maps to an error
 * code (ENOENT, EEXIST, …) and a message for the operator.
 */
public final class RequestException extends RuntimeException {
    public enum Kind { NOT_FOUND, EXISTS, INVALID, NO_KEY, ADDRESS_IN_USE, NOT_SUPPORTED, NO_SPACE }

    private final Kind kind;

    public RequestException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

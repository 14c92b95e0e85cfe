package dev.ovpndpdk.control.protocol;

/**
 * A well-formed message whose fields do not fit the command: a field is missing, has the
 * wrong type, is given twice, or has a value out of range. Always EINVAL; the message names
 * the field with its path ({@code remote.port}, {@code peer[3].peer_id}) so that the text of
 * the error reply is enough to fix the request.
 */
public final class FieldException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the field. */
    public enum Problem {
        MISSING,
        WRONG_TYPE,
        REPEATED,
        BAD_VALUE
    }

    private final String field;
    private final Problem problem;

    FieldException(Problem problem, String field, String message) {
        super(Errno.EINVAL, message);
        this.field = field;
        this.problem = problem;
    }

    static FieldException missing(String field) {
        return new FieldException(Problem.MISSING, field, "missing field " + field);
    }

    static FieldException wrongType(String field, FieldType expected, FieldType got) {
        return new FieldException(Problem.WRONG_TYPE, field,
                "field " + field + ": expected " + expected.wireName() + ", got " + got.wireName());
    }

    static FieldException repeated(String field, int times) {
        return new FieldException(Problem.REPEATED, field,
                "field " + field + ": given " + times + " times, expected once");
    }

    /** A value of the right type that the command cannot accept; {@code why} completes the sentence. */
    public static FieldException badValue(String field, String why) {
        return new FieldException(Problem.BAD_VALUE, field, "field " + field + ": " + why);
    }

    /** The field's full path, e.g. {@code remote.port}. */
    public String field() {
        return field;
    }

    public Problem problem() {
        return problem;
    }
}

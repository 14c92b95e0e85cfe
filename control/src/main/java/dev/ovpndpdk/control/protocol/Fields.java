package dev.ovpndpdk.control.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * An ordered, immutable sequence of fields — a message payload or the value of a NESTED
 * field — with the typed accessors a command handler uses. The accessors are the one place
 * where "a receiver ignores fields it does not know" is implemented: a handler asks for the
 * names it knows and never sees the rest.
 *
 * <p>Single-value accessors ({@link #u64}, {@link #string}, …) refuse a name given more than
 * once, so no two readers can disagree about which copy counts. Repeated names are arrays and
 * are read with {@link #all} / {@link #allNested} / {@link #allStrings}. Every error is a
 * {@link FieldException} (EINVAL) naming the field by its path, e.g. {@code remote.port}.
 */
public final class Fields implements Iterable<Field> {
    private static final Fields EMPTY = new Fields(List.of(), "");

    private final List<Field> list;
    /** Prefix for error messages: "" at the top, "remote." or "peer[2]." inside nests. */
    private final String path;

    private Fields(List<Field> list, String path) {
        this.list = list;
        this.path = path;
    }

    public static Fields empty() {
        return EMPTY;
    }

    public static Fields of(Field... fields) {
        return new Fields(List.of(fields), "");
    }

    public static Fields of(List<Field> fields) {
        return new Fields(List.copyOf(fields), "");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The fields in wire order, unknown names included. */
    public List<Field> list() {
        return list;
    }

    public int size() {
        return list.size();
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    @Override
    public Iterator<Field> iterator() {
        return list.iterator();
    }

    public boolean has(String name) {
        for (Field f : list) {
            if (f.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Every field with this name, in order, of whatever type. */
    public List<Field> all(String name) {
        List<Field> out = new ArrayList<>();
        for (Field f : list) {
            if (f.name().equals(name)) {
                out.add(f);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public long u64(String name) throws FieldException {
        return ((Field.U64) require(name, FieldType.U64)).value();
    }

    /** A U64 that must lie in 0..max (unsigned); the message says the range when it does not. */
    public long u64(String name, long max) throws FieldException {
        return checkRange(name, u64(name), max);
    }

    public OptionalLong optU64(String name) throws FieldException {
        Field f = optional(name, FieldType.U64);
        return f == null ? OptionalLong.empty() : OptionalLong.of(((Field.U64) f).value());
    }

    public OptionalLong optU64(String name, long max) throws FieldException {
        OptionalLong v = optU64(name);
        return v.isPresent() ? OptionalLong.of(checkRange(name, v.getAsLong(), max)) : v;
    }

    public String string(String name) throws FieldException {
        return ((Field.Str) require(name, FieldType.STRING)).value();
    }

    public Optional<String> optString(String name) throws FieldException {
        Field f = optional(name, FieldType.STRING);
        return f == null ? Optional.empty() : Optional.of(((Field.Str) f).value());
    }

    /** A copy of the bytes of a BYTES field. */
    public byte[] bytes(String name) throws FieldException {
        return ((Field.Bytes) require(name, FieldType.BYTES)).value();
    }

    /** A BYTES field whose length must be one of {@code lengths} ("expected 4 or 16 bytes, got 5"). */
    public byte[] bytes(String name, int... lengths) throws FieldException {
        return checkLength(name, bytes(name), lengths);
    }

    public Optional<byte[]> optBytes(String name) throws FieldException {
        Field f = optional(name, FieldType.BYTES);
        return f == null ? Optional.empty() : Optional.of(((Field.Bytes) f).value());
    }

    public Optional<byte[]> optBytes(String name, int... lengths) throws FieldException {
        Optional<byte[]> v = optBytes(name);
        if (v.isPresent()) {
            checkLength(name, v.get(), lengths);
        }
        return v;
    }

    public boolean bool(String name) throws FieldException {
        return ((Field.Bool) require(name, FieldType.BOOL)).value();
    }

    public Optional<Boolean> optBool(String name) throws FieldException {
        Field f = optional(name, FieldType.BOOL);
        return f == null ? Optional.empty() : Optional.of(((Field.Bool) f).value());
    }

    /** The fields inside a NESTED field; their errors are reported as {@code name.inner}. */
    public Fields nested(String name) throws FieldException {
        return inside(name, ((Field.Nested) require(name, FieldType.NESTED)).value());
    }

    public Optional<Fields> optNested(String name) throws FieldException {
        Field f = optional(name, FieldType.NESTED);
        return f == null ? Optional.empty() : Optional.of(inside(name, ((Field.Nested) f).value()));
    }

    /** Every NESTED field with this name, in order (an array, e.g. "peer" in a GET_PEER dump). */
    public List<Fields> allNested(String name) throws FieldException {
        List<Fields> out = new ArrayList<>();
        for (Field f : list) {
            if (f.name().equals(name)) {
                if (!(f instanceof Field.Nested n)) {
                    throw FieldException.wrongType(path + name + "[" + out.size() + "]",
                            FieldType.NESTED, f.type());
                }
                out.add(inside(name + "[" + out.size() + "]", n.value()));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Every STRING field with this name, in order (e.g. the "cipher" list of a PING reply). */
    public List<String> allStrings(String name) throws FieldException {
        List<String> out = new ArrayList<>();
        for (Field f : list) {
            if (f.name().equals(name)) {
                if (!(f instanceof Field.Str s)) {
                    throw FieldException.wrongType(path + name + "[" + out.size() + "]",
                            FieldType.STRING, f.type());
                }
                out.add(s.value());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Every U64 field whose name starts with {@code prefix}, keyed by the rest of the name, in
     * order — e.g. {@code u64sWithPrefix("drop_")} gives {auth_failed=3, replay=1}. Fields with
     * the prefix but another type are refused, a repeated name too.
     */
    public Map<String, Long> u64sWithPrefix(String prefix) throws FieldException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Field f : list) {
            if (f.name().startsWith(prefix)) {
                if (!(f instanceof Field.U64 u)) {
                    throw FieldException.wrongType(path + f.name(), FieldType.U64, f.type());
                }
                if (out.put(f.name().substring(prefix.length()), u.value()) != null) {
                    throw FieldException.repeated(path + f.name(), count(f.name()));
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The error for a field of this sequence whose value a command cannot accept, with the
     * field's full path: {@code throw request.fields().badValue("slot", "must be 0 or 1")}.
     */
    public FieldException badValue(String name, String why) {
        return FieldException.badValue(path + name, why);
    }

    private Fields inside(String name, Fields nested) {
        return new Fields(nested.list, path + name + ".");
    }

    private Field require(String name, FieldType type) throws FieldException {
        Field f = optional(name, type);
        if (f == null) {
            throw FieldException.missing(path + name);
        }
        return f;
    }

    private Field optional(String name, FieldType type) throws FieldException {
        Field found = null;
        for (Field f : list) {
            if (f.name().equals(name)) {
                if (found != null) {
                    throw FieldException.repeated(path + name, count(name));
                }
                found = f;
            }
        }
        if (found != null && found.type() != type) {
            throw FieldException.wrongType(path + name, type, found.type());
        }
        return found;
    }

    private int count(String name) {
        int n = 0;
        for (Field f : list) {
            if (f.name().equals(name)) {
                n++;
            }
        }
        return n;
    }

    private long checkRange(String name, long value, long max) throws FieldException {
        if (Long.compareUnsigned(value, max) > 0) {
            throw FieldException.badValue(path + name, Long.toUnsignedString(value)
                    + " is out of range 0.." + Long.toUnsignedString(max));
        }
        return value;
    }

    private byte[] checkLength(String name, byte[] value, int... lengths) throws FieldException {
        for (int n : lengths) {
            if (value.length == n) {
                return value;
            }
        }
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < lengths.length; i++) {
            expected.append(i == 0 ? "" : i == lengths.length - 1 ? " or " : ", ").append(lengths[i]);
        }
        throw FieldException.badValue(path + name,
                "expected " + expected + " bytes, got " + value.length);
    }

    /** Equal when the same fields are in the same order; the error path is not compared. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Fields f && list.equals(f.list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (Field f : list) {
            j.add(f.toString());
        }
        return j.toString();
    }

    /** Builds a field sequence in order; the same names may be added several times (arrays). */
    public static final class Builder {
        private final List<Field> list = new ArrayList<>();

        private Builder() {
        }

        public Builder add(Field field) {
            list.add(Objects.requireNonNull(field, "field"));
            return this;
        }

        public Builder addAll(Iterable<Field> fields) {
            for (Field f : fields) {
                add(f);
            }
            return this;
        }

        public Builder u64(String name, long value) {
            return add(Field.u64(name, value));
        }

        public Builder string(String name, String value) {
            return add(Field.string(name, value));
        }

        public Builder bytes(String name, byte[] value) {
            return add(Field.bytes(name, value));
        }

        public Builder bool(String name, boolean value) {
            return add(Field.bool(name, value));
        }

        public Builder nested(String name, Fields value) {
            return add(Field.nested(name, value));
        }

        public Fields build() {
            return list.isEmpty() ? EMPTY : new Fields(List.copyOf(list), "");
        }
    }
}

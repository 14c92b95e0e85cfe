package dev.ovpndpdk.bindings;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout tests' C probes: a small C program compiled against the installed headers that
 * prints {@code name value} lines (offsets, sizes, constants), read into a map. Shared by the
 * intel-ipsec-mb and DPDK layout tests.
 */
public final class CProbe {
    private final Path source;
    private final Map<String, Long> values;

    private CProbe(Path source, Map<String, Long> values) {
        this.source = source;
        this.values = values;
    }

    /**
     * Compiles {@code source} with {@code gcc} (the compiler and its flags, without
     * {@code -o}) into {@code binary}, runs it and parses its output; a compile or run
     * failure fails the test.
     */
    public static CProbe compileAndRun(List<String> gcc, Path source, Path binary) throws IOException, InterruptedException {
        Files.createDirectories(binary.getParent());
        List<String> cmd = new ArrayList<>(gcc);
        cmd.addAll(List.of("-o", binary.toString(), source.toString()));
        String build = run(cmd);
        assertTrue(build != null && build.startsWith("0\n"), "probe did not compile: " + build);
        String out = run(List.of(binary.toAbsolutePath().toString()));
        assertTrue(out != null && out.startsWith("0\n"), "probe failed: " + out);
        Map<String, Long> values = new HashMap<>();
        for (String line : out.substring(2).split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return new CProbe(source, values);
    }

    /** Runs a command; returns "exit-status\n" + output, or null when it cannot be started. */
    public static String run(List<String> cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timeout: " + cmd);
            return p.exitValue() + "\n" + out;
        } catch (IOException notFound) {
            return null;
        }
    }

    /** The value the probe printed for {@code key}; fails the test when it printed none. */
    public long get(String key) {
        Long v = values.get(key);
        assertTrue(v != null, "the C probe does not print " + key + " (add it to " + source + ")");
        return v;
    }

    /**
     * Asserts the byte offset of every named member of {@code layout} against the probe's
     * {@code NAME.member[.member]} lines ({@code NAME} is the layout's name), descending into a
     * nested group only where {@code descend} says so; returns how many members it checked.
     */
    public int assertOffsets(GroupLayout layout, Predicate<GroupLayout> descend) {
        return assertOffsets(layout, layout.name().orElseThrow(), 0, descend);
    }

    private int assertOffsets(GroupLayout g, String prefix, long base, Predicate<GroupLayout> descend) {
        int checked = 0;
        long offset = 0;
        for (MemoryLayout member : g.memberLayouts()) {
            if (!(member instanceof PaddingLayout) && member.name().isPresent()) {
                String path = prefix + "." + member.name().get();
                assertEquals(get(path), base + offset, "offset of " + path);
                checked++;
                if (member instanceof GroupLayout inner && descend.test(inner)) {
                    checked += assertOffsets(inner, path, base + offset, descend);
                }
            }
            if (g instanceof StructLayout) {
                offset += member.byteSize();
            }
        }
        return checked;
    }

    /** Asserts {@code sizeof} and {@code _Alignof} of {@code layout} against the probe's {@code sizeof.NAME}, {@code alignof.NAME}. */
    public void assertSizeAndAlignment(GroupLayout layout) {
        String name = layout.name().orElseThrow();
        assertEquals(get("sizeof." + name), layout.byteSize(), "sizeof " + name);
        assertEquals(get("alignof." + name), layout.byteAlignment(), "alignof " + name);
    }
}

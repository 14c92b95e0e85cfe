package dev.ovpndpdk.control;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * java.util.logging for the command line: one line per record on stderr, in the same shape
 * as the command's error messages ({@code ovpn-dpdk: crypto: intel-ipsec-mb 1.3.0 ...}), so
 * that a log line and an error read alike and neither is mistaken for the command's output on
 * stdout. Warnings and errors say so; a logged exception adds its message, never a stack trace.
 *
 * <p>The daemon's lines start with the local time ({@code 2026-12-07 19:15:23.041}), as
 * OpenVPN's do, unless systemd's journal takes them ({@link #setTimestamps}).
 *
 * <p>The level is INFO unless the system property {@code ovpn.log.level} says otherwise
 * (e.g. {@code -Dovpn.log.level=FINE} through {@code OVPN_DPDK_JAVA_OPTS}).
 */
public final class LogFormat extends Formatter {
    private static final String PREFIX = "ovpn-dpdk: ";
    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS ");
    private static volatile boolean timestamps;

    LogFormat() {
    }

    /** Replaces the JDK's default two-line console format; call once, early in main. */
    public static void install() {
        install(System.err);
    }

    /** Same, to another stream (tests). */
    public static synchronized void install(PrintStream err) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        // StreamHandler rather than ConsoleHandler so the stream is ours; flush per record
        // so a log line is never stuck behind a later error message.
        Handler h = new StreamHandler(err, new LogFormat()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        h.setLevel(Level.ALL);
        root.addHandler(h);
        root.setLevel(configuredLevel());
    }

    /** Whether each line starts with the local time (the daemon, when no journal times it). */
    public static void setTimestamps(boolean on) {
        timestamps = on;
    }

    /** Sets the root level, e.g. WARNING for {@code --quiet}. */
    public static void setLevel(Level level) {
        Logger.getLogger("").setLevel(level);
    }

    private static Level configuredLevel() {
        String p = System.getProperty("ovpn.log.level");
        if (p != null) {
            try {
                return Level.parse(p.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // An unusable setting must not stop the command; fall back and keep going.
            }
        }
        return Level.INFO;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder();
        if (timestamps) {
            TIME.formatTo(java.time.LocalDateTime.ofInstant(r.getInstant(), java.time.ZoneId.systemDefault()), sb);
        }
        sb.append(PREFIX);
        int level = r.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            sb.append("error: ");
        } else if (level >= Level.WARNING.intValue()) {
            sb.append("warning: ");
        }
        sb.append(formatMessage(r));
        Throwable t = r.getThrown();
        if (t != null) {
            sb.append(": ").append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.append(System.lineSeparator()).toString();
    }
}

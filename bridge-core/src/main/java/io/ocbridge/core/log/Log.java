package io.ocbridge.core.log;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One line per event on stderr: {@code time LEVEL event key=value ...}. Fields use fixed names
 * ({@code site}, {@code overlay}, {@code peer}, {@code endpoint}, {@code reason}); callers never pass
 * key material. Per-packet events are counters, not log lines. When stderr is the systemd journal, each line starts
 * with its syslog priority ({@code <6>} for INFO, sd-daemon(3) style), which the journal strips and files the line
 * under, so {@code journalctl -p warning} finds the warnings.
 */
public final class Log {
    /** Each level with its syslog priority: debug 7, info 6, warning 4, err 3. */
    public enum Level {
        DEBUG(7), INFO(6), WARN(4), ERROR(3);

        final int syslogPriority;

        Level(int syslogPriority) {
            this.syslogPriority = syslogPriority;
        }
    }

    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;
    private static volatile boolean priorityPrefix = JournalStream.isStderr(System.getenv("JOURNAL_STREAM"));

    private final String context;

    private Log(String context) {
        this.context = context;
    }

    /** A logger whose lines all carry {@code context} (e.g. "site=dc-east overlay=corp"). */
    public static Log with(String context) {
        return new Log(context);
    }

    public Log child(String moreContext) {
        return new Log(context.isEmpty() ? moreContext : context + " " + moreContext);
    }

    /** An endpoint as operators write it: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}; "none" for null. */
    public static String endpoint(InetSocketAddress address) {
        if (address == null) {
            return "none";
        }
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public static void setThreshold(Level level) {
        threshold = level;
    }

    /** Where lines go from now on; {@code priorityPrefix}: start each with {@code <N>}, as for the journal. */
    public static void setOutput(PrintStream stream, boolean priorityPrefix) {
        out = stream;
        Log.priorityPrefix = priorityPrefix;
    }

    public static void setOutput(PrintStream stream) {
        setOutput(stream, false);
    }

    public boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    public void debug(String event, String fields) { log(Level.DEBUG, event, fields); }
    public void info(String event, String fields) { log(Level.INFO, event, fields); }
    public void warn(String event, String fields) { log(Level.WARN, event, fields); }
    public void error(String event, String fields) { log(Level.ERROR, event, fields); }

    public void log(Level level, String event, String fields) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder line = new StringBuilder(128);
        if (priorityPrefix) {
            line.append('<').append(level.syslogPriority).append('>');
        }
        line.append(Instant.now()).append(' ')
                .append(level.name()).append(' ')
                .append(event);
        if (!context.isEmpty()) {
            line.append(' ').append(context);
        }
        if (fields != null && !fields.isEmpty()) {
            line.append(' ').append(fields);
        }
        out.println(line);
    }
}

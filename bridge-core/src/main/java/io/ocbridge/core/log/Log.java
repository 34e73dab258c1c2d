package io.ocbridge.core.log;

import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One line per event on stderr: {@code time LEVEL event key=value ...}. Fields use fixed names
 * ({@code site}, {@code overlay}, {@code peer}, {@code endpoint}, {@code reason}); callers never pass
 * key material. Per-packet events are counters, not log lines.
 */
public final class Log {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;

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

    public static void setOutput(PrintStream stream) {
        out = stream;
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
        StringBuilder line = new StringBuilder(128)
                .append(Instant.now()).append(' ')
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

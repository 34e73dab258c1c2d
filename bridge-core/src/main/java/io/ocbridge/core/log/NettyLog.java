package io.ocbridge.core.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Netty's own log lines through {@link Log}, in its one-line format: {@code WARN netty logger=MacAddressUtil
 * message="..."}. Without it Netty falls back to java.util.logging, two lines per event in another format. Trace
 * and debug are Log's DEBUG. A throwable is named, its stack trace left out (one event, one line).
 */
public final class NettyLog {
    private static final Log LOG = Log.with("");

    private NettyLog() {
    }

    /** Installs the factory; call before any Netty class logs (first thing in main). */
    public static void install() {
        InternalLoggerFactory.setDefaultFactory(new Factory());
    }

    /** Netty's logger factory, one {@link Logger} per Netty class name. */
    static final class Factory extends InternalLoggerFactory {
        @Override
        protected InternalLogger newInstance(String name) {
            return new Logger(name);
        }

        /** {@link #newInstance}, for tests (it is protected). */
        InternalLogger logger(String name) {
            return newInstance(name);
        }
    }

    /** {@code format} with each {@code {}} replaced by the next argument, as SLF4J and Netty write messages. */
    static String format(String format, Object... arguments) {
        if (format == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(format.length() + 32);
        int from = 0;
        int next = 0;
        for (int at; next < arguments.length && (at = format.indexOf("{}", from)) >= 0; from = at + 2) {
            out.append(format, from, at).append(arguments[next++]);
        }
        return out.append(format, from, format.length()).toString();
    }

    private static final class Logger extends AbstractInternalLogger {
        private final String shortName;

        Logger(String name) {
            super(name);
            shortName = name.substring(name.lastIndexOf('.') + 1);
        }

        private void emit(Log.Level level, String message, Throwable cause) {
            if (!LOG.enabled(level)) {
                return;
            }
            String fields = "logger=" + shortName + " message=\"" + message.replace("\"", "'") + '"';
            if (cause != null) {
                fields += " error=\"" + String.valueOf(cause).replace("\"", "'") + '"';
            }
            LOG.log(level, "netty", fields);
        }

        private void emit(Log.Level level, String format, Object[] arguments) {
            if (!LOG.enabled(level)) {
                return;
            }
            Throwable cause = arguments.length > 0 && arguments[arguments.length - 1] instanceof Throwable t ? t : null;
            emit(level, format(format, arguments), cause);
        }

        @Override public boolean isTraceEnabled() { return LOG.enabled(Log.Level.DEBUG); }
        @Override public void trace(String msg) { emit(Log.Level.DEBUG, msg, (Throwable) null); }
        @Override public void trace(String format, Object arg) { emit(Log.Level.DEBUG, format, new Object[] {arg}); }
        @Override public void trace(String format, Object a, Object b) { emit(Log.Level.DEBUG, format, new Object[] {a, b}); }
        @Override public void trace(String format, Object... arguments) { emit(Log.Level.DEBUG, format, arguments); }
        @Override public void trace(String msg, Throwable t) { emit(Log.Level.DEBUG, msg, t); }

        @Override public boolean isDebugEnabled() { return LOG.enabled(Log.Level.DEBUG); }
        @Override public void debug(String msg) { emit(Log.Level.DEBUG, msg, (Throwable) null); }
        @Override public void debug(String format, Object arg) { emit(Log.Level.DEBUG, format, new Object[] {arg}); }
        @Override public void debug(String format, Object a, Object b) { emit(Log.Level.DEBUG, format, new Object[] {a, b}); }
        @Override public void debug(String format, Object... arguments) { emit(Log.Level.DEBUG, format, arguments); }
        @Override public void debug(String msg, Throwable t) { emit(Log.Level.DEBUG, msg, t); }

        @Override public boolean isInfoEnabled() { return LOG.enabled(Log.Level.INFO); }
        @Override public void info(String msg) { emit(Log.Level.INFO, msg, (Throwable) null); }
        @Override public void info(String format, Object arg) { emit(Log.Level.INFO, format, new Object[] {arg}); }
        @Override public void info(String format, Object a, Object b) { emit(Log.Level.INFO, format, new Object[] {a, b}); }
        @Override public void info(String format, Object... arguments) { emit(Log.Level.INFO, format, arguments); }
        @Override public void info(String msg, Throwable t) { emit(Log.Level.INFO, msg, t); }

        @Override public boolean isWarnEnabled() { return LOG.enabled(Log.Level.WARN); }
        @Override public void warn(String msg) { emit(Log.Level.WARN, msg, (Throwable) null); }
        @Override public void warn(String format, Object arg) { emit(Log.Level.WARN, format, new Object[] {arg}); }
        @Override public void warn(String format, Object a, Object b) { emit(Log.Level.WARN, format, new Object[] {a, b}); }
        @Override public void warn(String format, Object... arguments) { emit(Log.Level.WARN, format, arguments); }
        @Override public void warn(String msg, Throwable t) { emit(Log.Level.WARN, msg, t); }

        @Override public boolean isErrorEnabled() { return LOG.enabled(Log.Level.ERROR); }
        @Override public void error(String msg) { emit(Log.Level.ERROR, msg, (Throwable) null); }
        @Override public void error(String format, Object arg) { emit(Log.Level.ERROR, format, new Object[] {arg}); }
        @Override public void error(String format, Object a, Object b) { emit(Log.Level.ERROR, format, new Object[] {a, b}); }
        @Override public void error(String format, Object... arguments) { emit(Log.Level.ERROR, format, arguments); }
        @Override public void error(String msg, Throwable t) { emit(Log.Level.ERROR, msg, t); }
    }
}

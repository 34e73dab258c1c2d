package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A long-running process whose stdout+stderr go to a log file. Stopped by its own PID only:
 * SIGTERM ({@link Process#destroy}), then SIGKILL after a grace period.
 * Every started process is remembered in {@link #startedLogs()} so a failing test can print their tails.
 */
final class Background implements AutoCloseable {
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private static final List<Background> STARTED = new CopyOnWriteArrayList<>();

    private final String label;
    private final Process process;
    private final Path log;

    private Background(String label, Process process, Path log) {
        this.label = label;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code argv} with extra environment {@code env}, output to {@code log} (parent folders created). */
    static Background start(String label, Path log, Map<String, String> env, List<String> argv) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "# " + String.join(" ", argv) + "\n", StandardCharsets.UTF_8);
            var pb = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            var bg = new Background(label, pb.start(), log);
            STARTED.add(bg);
            return bg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + label + ": " + String.join(" ", argv), e);
        }
    }

    /** Processes started since the last {@link #forgetStarted()}, for printing logs on failure. */
    static List<Background> startedLogs() {
        return List.copyOf(STARTED);
    }

    static void forgetStarted() {
        STARTED.clear();
    }

    String label() {
        return label;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The process's output lines (not the command-line header) that match {@code regex} case-insensitively. */
    List<String> logLinesMatching(String regex) {
        var p = Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
        var hits = new ArrayList<String>();
        String[] lines = logText().split("\n");
        for (String line : List.of(lines).subList(Math.min(1, lines.length), lines.length)) {
            if (p.matcher(line).find()) {
                hits.add(line);
            }
        }
        return hits;
    }

    List<String> tail(int lines) {
        String[] all = logText().split("\n");
        return List.of(all).subList(Math.max(0, all.length - lines), all.length);
    }

    /** Waits up to {@code timeout} for the process to exit by itself; returns its exit code, or empty if still running. */
    OptionalInt awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? OptionalInt.of(process.exitValue())
                    : OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** SIGKILL, then wait for the process to be gone. Models a crash. */
    void kill() {
        process.destroyForcibly();
        awaitExit(STOP_GRACE);
    }

    /** SIGTERM only, then wait up to {@code timeout}; returns the exit code, or empty if still running. */
    OptionalInt terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** SIGTERM, wait up to {@link #STOP_GRACE}, then SIGKILL. Returns the exit code, or empty if it never exited. */
    OptionalInt stop() {
        if (!process.isAlive()) {
            return OptionalInt.of(process.exitValue());
        }
        process.destroy();
        var code = awaitExit(STOP_GRACE);
        if (code.isEmpty()) {
            process.destroyForcibly();
            code = awaitExit(STOP_GRACE);
        }
        return code;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (pid %d, %s, log %s)", label, process.pid(),
                process.isAlive() ? "running" : "exit " + process.exitValue(), log);
    }
}

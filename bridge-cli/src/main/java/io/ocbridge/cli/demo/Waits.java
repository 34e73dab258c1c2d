package io.ocbridge.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Bounded polling, and reading the logs it polls: every wait in the demo has a deadline. */
final class Waits {
    static final Duration POLL = Duration.ofMillis(100);

    private Waits() {}

    /** Polls {@code condition} every 100 ms until it holds (true) or {@code timeout} has passed (false). */
    static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoFailure("interrupted");
            }
        }
        return true;
    }

    /** The file's text, or empty if it is not there (yet). */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code n} lines of {@code file}. */
    static List<String> tail(Path file, int n) {
        var lines = read(file).lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}

package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * The measured figures of a test, one line each: printed as {@code SUMMARY <test>: <figures>} and appended to
 * {@code integration-tests/target/summary.txt}, which {@link SummaryListener} empties when a run starts and prints when
 * it ends. One greppable line per measurement, whichever way the run was started.
 */
final class Summary {
    static final String PREFIX = "SUMMARY ";

    private Summary() {}

    static Path file() {
        return TestHost.repoRoot().resolve("integration-tests/target/summary.txt");
    }

    /** Prints and records {@code String.format(Locale.ROOT, format, args)} as the summary line of {@code test}. */
    static void line(String test, String format, Object... args) {
        String line = PREFIX + test + ": " + String.format(Locale.ROOT, format, args);
        System.out.println(line);
        try {
            Files.createDirectories(file().getParent());
            Files.writeString(file(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines recorded so far (empty if none). */
    static List<String> lines() {
        try {
            return Files.exists(file()) ? Files.readAllLines(file(), StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void reset() {
        try {
            Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

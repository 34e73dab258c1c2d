package io.ocbridge.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived command from an argument list (never a shell string) and waits for it with a deadline.
 * stdout and stderr are merged; a command still running at its deadline is SIGKILLed and reported as {@link #TIMED_OUT}.
 */
final class Cmd {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    static final int TIMED_OUT = -1;

    /** Exit code and merged output of one finished command. */
    record Result(List<String> argv, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result if the command exited 0, else throws with the command and its output. */
        Result orThrow() {
            if (!ok()) {
                String why = exitCode == TIMED_OUT ? "timed out" : "exit " + exitCode;
                throw new IllegalStateException("command failed (" + why + "): " + String.join(" ", argv)
                        + (output.isBlank() ? "" : "\n" + output.strip()));
            }
            return this;
        }
    }

    private Cmd() {}

    static Result run(String... argv) {
        return run(DEFAULT_TIMEOUT, null, List.of(argv));
    }

    /** Runs {@code argv}, writing {@code stdin} (may be null) to its standard input, for at most {@code timeout}. */
    static Result run(Duration timeout, String stdin, List<String> argv) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(List.copyOf(argv), 127, "cannot start: " + e.getMessage());
        }
        // A separate reader so that a child that keeps the pipe open (a daemonizing tool) cannot block us past the deadline.
        var out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        try {
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the command exited without reading its input; its exit code tells the story
            }
            int exitCode;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exitCode = p.exitValue();
            } else {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                exitCode = TIMED_OUT;
            }
            reader.join(Duration.ofSeconds(2));
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            return new Result(List.copyOf(argv), exitCode, text);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            if (!"Stream closed".equals(e.getMessage())) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

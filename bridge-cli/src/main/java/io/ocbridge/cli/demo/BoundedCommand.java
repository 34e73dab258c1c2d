package io.ocbridge.cli.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a short-lived command from an argument list (never a shell string) to completion or its deadline, then SIGKILL;
 * stdout and stderr merged. The output is read on a virtual thread, so a child that keeps the pipe open (a daemonizing
 * tool) cannot hold the caller past the deadline. Shared by the demo's {@link Namespaces} and the integration tests.
 */
public final class BoundedCommand {
    /** The exit code of a command killed at its deadline. */
    public static final int TIMED_OUT = -1;
    /** The exit code of a command that could not be started, as a shell reports it. */
    public static final int CANNOT_START = 127;
    private static final Duration REAP_GRACE = Duration.ofSeconds(5);
    private static final Duration READER_GRACE = Duration.ofSeconds(2);

    /** Exit code and merged output of one finished command. */
    public record Result(List<String> argv, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** One message for a failed command: why (exit code or deadline), the command, then its output if any. */
        public String failure() {
            return "command failed (" + (exitCode == TIMED_OUT ? "timed out" : "exit " + exitCode) + "): "
                    + String.join(" ", argv) + (output.isBlank() ? "" : "\n" + output.strip());
        }

        /** This result if the command exited 0; else throws the caller's exception, made from {@link #failure()}. */
        public Result orThrow(Function<String, ? extends RuntimeException> exception) {
            if (!ok()) {
                throw exception.apply(failure());
            }
            return this;
        }
    }

    private BoundedCommand() {}

    /** Runs {@code argv}, writing {@code stdin} (null: none, reads /dev/null) to its input, for at most {@code timeout}. */
    public static Result run(Duration timeout, String stdin, List<String> argv) throws InterruptedException {
        Process p;
        try {
            p = start(argv, stdin != null);
        } catch (IOException e) {
            return cannotStart(argv, e);
        }
        return await(p, argv, stdin, timeout);
    }

    /** Starts {@code argv}, stderr into stdout; its input is a pipe when {@code withInput}, else /dev/null. */
    public static Process start(List<String> argv, boolean withInput) throws IOException {
        var pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (!withInput) {
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        return pb.start();
    }

    /** The result of a command that could not be started. */
    public static Result cannotStart(List<String> argv, IOException e) {
        return new Result(List.copyOf(argv), CANNOT_START, "cannot start: " + e.getMessage());
    }

    /**
     * Waits for {@code p} (started from {@code argv} by {@link #start}) for at most {@code timeout}, after writing
     * {@code stdin} if not null; SIGKILLs it at the deadline. Interrupted, it SIGKILLs the command and rethrows.
     */
    public static Result await(Process p, List<String> argv, String stdin, Duration timeout) throws InterruptedException {
        var out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        try {
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the command exited without reading its input; its exit code tells the story
                }
            }
            int exitCode = TIMED_OUT;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exitCode = p.exitValue();
            } else {
                p.destroyForcibly();
                p.waitFor(REAP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            reader.join(READER_GRACE);
            synchronized (out) {
                return new Result(List.copyOf(argv), exitCode, out.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
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
        } catch (IOException ignored) {
            // the process was killed and its pipe closed: what was read so far is the output
        }
    }
}

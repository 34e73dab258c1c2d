package io.ocbridge.it;

import io.ocbridge.cli.demo.BoundedCommand;
import java.time.Duration;
import java.util.List;

/**
 * Runs a short-lived command from an argument list (never a shell string) and waits for it with a deadline, through
 * the demo's {@link BoundedCommand}: stdout and stderr merged; a command still running at its deadline is SIGKILLed
 * and reported as {@link #TIMED_OUT}. Failures throw {@link IllegalStateException}, which fails the test.
 */
final class Cmd {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    static final int TIMED_OUT = BoundedCommand.TIMED_OUT;

    /** Exit code and merged output of one finished command. */
    record Result(List<String> argv, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result if the command exited 0, else throws with the command and its output. */
        Result orThrow() {
            new BoundedCommand.Result(argv, exitCode, output).orThrow(IllegalStateException::new);
            return this;
        }
    }

    private Cmd() {}

    static Result run(String... argv) {
        return run(DEFAULT_TIMEOUT, null, List.of(argv));
    }

    /** Runs {@code argv}, writing {@code stdin} (may be null) to its standard input, for at most {@code timeout}. */
    static Result run(Duration timeout, String stdin, List<String> argv) {
        try {
            var r = BoundedCommand.run(timeout, stdin, argv);
            return new Result(r.argv(), r.exitCode(), r.output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        }
    }
}

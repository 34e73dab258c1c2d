package io.ocbridge.cli.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything the demo creates and must take down again: network namespaces named {@code ocb<pid>-<name>}, the
 * processes it started in them, and its temp folder. Commands run from argument lists (never a shell string), each
 * with a deadline; devices are only ever made with {@code ip -n <ns>}, so nothing touches the root namespace.
 * {@link #teardown()} stops the processes by PID (SIGTERM, then SIGKILL), deletes the namespaces, then the folder; it is
 * idempotent and safe to call from a shutdown hook while another thread still runs steps.
 */
final class Namespaces {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** Exit code and merged stdout+stderr of a finished command; exit -1 if it was killed at its deadline. */
    record Result(List<String> argv, int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        Result orThrow() {
            if (!ok()) {
                throw new DemoFailure("command failed (" + (exit < 0 ? "timed out" : "exit " + exit) + "): "
                        + String.join(" ", argv) + (output.isBlank() ? "" : "\n" + output.strip()));
            }
            return this;
        }
    }

    private final String prefix;
    private final Path workDir;
    private final List<String> created = new ArrayList<>();
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final List<Process> background = new ArrayList<>();
    private volatile boolean closed;

    private Namespaces(String prefix, Path workDir) {
        this.prefix = prefix;
        this.workDir = workDir;
    }

    /** Namespace names {@code ocb<pid>-*}, a fresh 0700 temp folder. */
    static Namespaces open() {
        String prefix = "ocb" + ProcessHandle.current().pid() + "-";
        try {
            return new Namespaces(prefix, Files.createTempDirectory("ocbridge-demo-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp folder", e);
        }
    }

    /** The real name of namespace {@code name}. */
    String ns(String name) {
        return prefix + name;
    }

    String prefix() {
        return prefix;
    }

    Path workDir() {
        return workDir;
    }

    boolean closed() {
        return closed;
    }

    /** {@code ip netns add ocb<pid>-<name>}, loopback up; fails if it exists (it is then not ours). */
    synchronized void create(String name) {
        checkOpen();
        run(COMMAND_TIMEOUT, List.of("ip", "netns", "add", ns(name)), true).orThrow();
        created.add(ns(name));
        ip(name, "link", "set", "lo", "up");
    }

    /** {@code ip -n <ns> args}, which must succeed. */
    Result ip(String name, String... args) {
        var argv = new ArrayList<>(List.of("ip", "-n", ns(name)));
        argv.addAll(List.of(args));
        return run(COMMAND_TIMEOUT, argv, true).orThrow();
    }

    /** {@code argv} inside namespace {@code name}, for at most {@code timeout}; the caller checks the result. */
    Result exec(String name, Duration timeout, String... argv) {
        return run(timeout, inside(name, List.of(argv)), true);
    }

    /**
     * Starts a long-running {@code argv} inside namespace {@code name}, output to {@code log}. {@code ip netns exec}
     * execs in place, so the process's PID is the command's own and stopping it by PID reaches the right process.
     */
    synchronized Process spawn(String name, Path log, List<String> argv) {
        checkOpen();
        try {
            var p = new ProcessBuilder(inside(name, argv))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            background.add(p);
            return p;
        } catch (IOException e) {
            throw new DemoFailure("cannot start " + String.join(" ", argv) + ": " + e.getMessage());
        }
    }

    /** Stops one background process by PID: SIGTERM, then SIGKILL after {@link #STOP_GRACE}. True once it is gone. */
    static boolean stop(Process p) {
        if (!p.isAlive()) {
            return true;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Takes everything down: processes (newest first), namespaces (and every device inside), the temp folder.
     * Returns what could not be removed; empty means nothing is left behind.
     */
    synchronized List<String> teardown() {
        var problems = new ArrayList<String>();
        if (closed) {
            return problems;
        }
        synchronized (live) { // from here on no command starts: see run()
            closed = true;
        }
        live.forEach(Process::destroyForcibly); // short commands: a ping or udhcpc the main thread is waiting on
        for (var p : background.reversed()) {
            if (!stop(p)) {
                problems.add("process " + p.pid() + " did not exit");
            }
        }
        for (var name : created.reversed()) {
            var r = run(COMMAND_TIMEOUT, List.of("ip", "netns", "del", name), false);
            if (!r.ok()) {
                problems.add("namespace " + name + ": " + r.output().strip());
            }
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            problems.add("temp folder " + workDir + ": " + e.getMessage());
        }
        problems.addAll(leftovers());
        return problems;
    }

    /** What of ours still exists: namespaces with our prefix, live child processes, the temp folder. */
    List<String> leftovers() {
        var found = new ArrayList<String>();
        // a killed command may take a moment to be reaped
        Waits.until(STOP_GRACE, () -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
        for (String line : run(COMMAND_TIMEOUT, List.of("ip", "netns", "list"), false).output().split("\n")) {
            if (line.startsWith(prefix)) {
                found.add("namespace " + line.split(" ")[0]);
            }
        }
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).forEach(p ->
                found.add("process " + p.pid() + " " + p.info().commandLine().orElse("?")));
        if (Files.exists(workDir)) {
            found.add("folder " + workDir);
        }
        return found;
    }

    private List<String> inside(String name, List<String> argv) {
        var full = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
        full.addAll(argv);
        return full;
    }

    private void checkOpen() {
        if (closed) {
            throw new DemoFailure("interrupted: tearing down");
        }
    }

    /**
     * Runs {@code argv} to completion or its deadline (then SIGKILL); output read on a virtual thread. A {@code step}
     * command is refused once teardown has begun, atomically with its start, so none outlives the teardown.
     */
    private Result run(Duration timeout, List<String> argv, boolean step) {
        Process p;
        synchronized (live) {
            if (step) {
                checkOpen();
            }
            try {
                p = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            } catch (IOException e) {
                return new Result(List.copyOf(argv), 127, "cannot start: " + e.getMessage());
            }
            live.add(p);
        }
        var out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        try {
            int exit = -1;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                p.destroyForcibly();
                p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            reader.join(Duration.ofSeconds(2));
            synchronized (out) {
                return new Result(List.copyOf(argv), exit, out.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DemoFailure("interrupted while running " + String.join(" ", argv));
        } finally {
            live.remove(p);
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
            // the process was killed; what was read so far is the output
        }
    }
}

package io.ocbridge.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * processes it started in them, and its temp folder. Commands are {@link NamespaceCommands} run by
 * {@link BoundedCommand} (argument lists, never a shell string, each with a deadline); devices are only ever made with
 * {@code ip -n <ns>}, so nothing touches the root namespace.
 * {@link #teardown()} stops the processes by PID (SIGTERM, then SIGKILL), deletes the namespaces, then the folder; it is
 * idempotent and safe to call from a shutdown hook while another thread still runs steps.
 */
final class Namespaces {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

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
        run(COMMAND_TIMEOUT, NamespaceCommands.add(ns(name)), true).orThrow(DemoFailure::new);
        created.add(ns(name));
        run(COMMAND_TIMEOUT, NamespaceCommands.loopbackUp(ns(name)), true).orThrow(DemoFailure::new);
    }

    /** {@code ip -n <ns> args}, which must succeed. */
    BoundedCommand.Result ip(String name, String... args) {
        return run(COMMAND_TIMEOUT, NamespaceCommands.ip(ns(name), args), true).orThrow(DemoFailure::new);
    }

    /** {@code argv} inside namespace {@code name}, for at most {@code timeout}; the caller checks the result. */
    BoundedCommand.Result exec(String name, Duration timeout, String... argv) {
        return run(timeout, NamespaceCommands.inside(ns(name), List.of(argv)), true);
    }

    /**
     * Starts a long-running {@code argv} inside namespace {@code name}, output to {@code log}. {@code ip netns exec}
     * execs in place, so the process's PID is the command's own and stopping it by PID reaches the right process.
     */
    synchronized Process spawn(String name, Path log, List<String> argv) {
        checkOpen();
        try {
            var p = new ProcessBuilder(NamespaceCommands.inside(ns(name), argv))
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
            var r = run(COMMAND_TIMEOUT, NamespaceCommands.delete(name), false);
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
        for (String line : run(COMMAND_TIMEOUT, NamespaceCommands.list(), false).output().split("\n")) {
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

    private void checkOpen() {
        if (closed) {
            throw new DemoFailure("interrupted: tearing down");
        }
    }

    /**
     * Runs {@code argv} to completion or its deadline (then SIGKILL). A {@code step} command is refused once teardown has
     * begun, atomically with its start, so none outlives the teardown; the teardown SIGKILLs those still running.
     */
    private BoundedCommand.Result run(Duration timeout, List<String> argv, boolean step) {
        Process p;
        synchronized (live) {
            if (step) {
                checkOpen();
            }
            try {
                p = BoundedCommand.start(argv, false);
            } catch (IOException e) {
                return BoundedCommand.cannotStart(argv, e);
            }
            live.add(p);
        }
        try {
            return BoundedCommand.await(p, argv, null, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailure("interrupted while running " + String.join(" ", argv));
        } finally {
            live.remove(p);
        }
    }
}

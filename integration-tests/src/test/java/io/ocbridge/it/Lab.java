package io.ocbridge.it;

import io.ocbridge.cli.demo.NamespaceCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What one test builds and must take down again: its network namespaces, the processes it started in them, the
 * wireguard-go sockets it made, its work folder. {@link #close()} stops the processes by PID, deletes the namespaces
 * (and with them every device inside), removes the sockets and the folder, then fails if anything of it is left.
 * Names are {@code ocb<pid>t<n>...}, so parallel runs and successive labs in one JVM never collide.
 * The wiring is the subclass's: {@link Topology} (L3, two sites), {@link L2Topology} (a stretched Ethernet segment).
 */
class Lab implements AutoCloseable {
    static final Path WIREGUARD_SOCKETS = Path.of("/var/run/wireguard");

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();

    static {
        // Last resort for a JVM stopped by SIGTERM/SIGINT mid-test (not SIGKILL): release what is still open.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Lab::closeQuietly)));
    }

    private final String prefix;
    private final Path logDir;
    private final Path workDir;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Background> processes = new ArrayList<>();
    private final List<String> sockets = new ArrayList<>();
    private boolean closed;

    /** An empty lab; logs go to {@code target/it-logs/<testName>/}. A subclass that fails to wire itself must close it. */
    Lab(String testName) {
        this.prefix = "ocb" + ProcessHandle.current().pid() + "t" + SEQUENCE.incrementAndGet();
        this.logDir = TestHost.logRoot().resolve(testName.replaceAll("[^A-Za-z0-9_.-]+", "_"));
        try {
            Files.createDirectories(logDir);
            this.workDir = Files.createTempDirectory(prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OPEN.add(this);
    }

    /** Creates namespace {@code <prefix><suffix>} with lo up, owned by this lab. */
    Netns namespace(String suffix) {
        var ns = Netns.create(prefix + suffix);
        namespaces.add(ns);
        return ns;
    }

    /** A device name unique to this lab and JVM, at most 15 characters (IFNAMSIZ - 1). */
    String deviceName(String suffix) {
        String name = prefix + suffix;
        if (name.length() > 15) {
            throw new IllegalArgumentException("device name too long: " + name);
        }
        return name;
    }

    /** Per-lab scratch folder (keys, configs, payload files, leases); deleted on close. */
    Path workDir() {
        return workDir;
    }

    Path logFile(String label) {
        return logDir.resolve(label + ".log");
    }

    /** Starts {@code argv} in {@code ns}, tracked: it is stopped on {@link #close()} if still running. */
    Background start(Netns ns, String label, List<String> argv) {
        return start(ns, label, Map.of(), argv);
    }

    Background start(Netns ns, String label, Map<String, String> env, List<String> argv) {
        var bg = ns.spawn(label, logFile(label), env, argv);
        synchronized (processes) {
            processes.add(bg);
        }
        return bg;
    }

    /** Registers a wireguard-go control socket name ({@code <device>.sock}) to remove on close if its owner left it. */
    void adoptSocket(String device) {
        sockets.add(device);
    }

    /** Synchronized: the shutdown hook may race an {@code @AfterEach}; the second caller waits and finds it closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        var problems = new ArrayList<String>();
        List<Background> toStop;
        synchronized (processes) {
            toStop = new ArrayList<>(processes.reversed());
        }
        for (var bg : toStop) {
            try {
                if (bg.stop().isEmpty()) {
                    problems.add("did not exit: " + bg);
                }
            } catch (RuntimeException e) {
                problems.add("stopping " + bg.label() + ": " + e);
            }
        }
        for (var ns : namespaces.reversed()) {
            ns.close();
        }
        for (var device : sockets) {
            try {
                Files.deleteIfExists(WIREGUARD_SOCKETS.resolve(device + ".sock"));
            } catch (IOException e) {
                problems.add("removing socket of " + device + ": " + e);
            }
        }
        deleteRecursively(workDir, problems);
        OPEN.remove(this);
        problems.addAll(leftovers());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cleanup of " + prefix + " incomplete:\n  " + String.join("\n  ", problems));
        }
    }

    /** What of this lab still exists after close: namespaces, root-netns links, sockets, child processes. */
    List<String> leftovers() {
        var found = new ArrayList<String>();
        for (String line : Cmd.run(Cmd.DEFAULT_TIMEOUT, null, NamespaceCommands.list()).output().split("\n")) {
            String name = line.split(" ")[0];
            if (namespaces.stream().anyMatch(ns -> ns.name().equals(name))) {
                found.add("namespace " + name);
            }
        }
        for (String line : Cmd.run("ip", "-o", "link", "show").output().split("\n")) {
            if (line.contains(prefix)) {
                found.add("root-netns link: " + line);
            }
        }
        for (var device : sockets) {
            if (Files.exists(WIREGUARD_SOCKETS.resolve(device + ".sock"))) {
                found.add("socket " + device + ".sock");
            }
        }
        if (OPEN.isEmpty()) { // with no other lab open, every live child of this JVM is a leak
            ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(p -> {
                found.add("child process " + p.pid() + " " + p.info().commandLine().orElse("?") + " (killed)");
                p.destroyForcibly();
            });
        }
        return found;
    }

    final void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    private static void deleteRecursively(Path dir, List<String> problems) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            problems.add("deleting " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return prefix;
    }
}

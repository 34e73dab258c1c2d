package io.ocbridge.it;

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
 * Two sites in four network namespaces; the gateways' tunnels are added by the test (ocbridge or wireguard-go).
 * <pre>
 *  hostA --lan-- gwA ==wan 192.0.2.1/24 &lt;-&gt; 192.0.2.2/24== gwB --lan-- hostB
 *  172.16.1.10/24 (gw .1)                                    172.16.2.10/24 (gw .1)
 *  overlay: gwA 10.77.0.1/24, gwB 10.77.0.2/24; ip_forward=1 in both gateways
 * </pre>
 * Owns everything it starts: {@link #close()} stops its processes by PID, deletes its namespaces (and with them every
 * device inside), removes its wireguard-go sockets and its work folder, then checks that nothing of it is left.
 * Names are {@code ocb<pid>t<n>...}, so parallel runs and successive topologies in one JVM never collide.
 */
final class Topology implements AutoCloseable {
    static final String HOST_A = "172.16.1.10";
    static final String HOST_B = "172.16.2.10";
    static final String LAN_A = "172.16.1.0/24";
    static final String LAN_B = "172.16.2.0/24";
    static final String WAN_A = "192.0.2.1";
    static final String WAN_B = "192.0.2.2";
    static final String OVERLAY_A = "10.77.0.1";
    static final String OVERLAY_B = "10.77.0.2";
    static final int OVERLAY_PREFIX = 24;
    static final int LISTEN_PORT = 51820;
    static final int TUNNEL_MTU = 1420;
    static final Path WIREGUARD_SOCKETS = Path.of("/var/run/wireguard");

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<Topology> OPEN = ConcurrentHashMap.newKeySet();

    static {
        // Last resort for a JVM stopped by SIGTERM/SIGINT mid-test (not SIGKILL): release what is still open.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Topology::closeQuietly)));
    }

    final Netns hostA;
    final Netns gwA;
    final Netns gwB;
    final Netns hostB;

    private final String prefix;
    private final Path logDir;
    private final Path workDir;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Background> processes = new ArrayList<>();
    private final List<String> sockets = new ArrayList<>();
    private boolean closed;

    private Topology(String prefix, Path logDir, Path workDir) {
        this.prefix = prefix;
        this.logDir = logDir;
        this.workDir = workDir;
        OPEN.add(this);
        try {
            hostA = add(prefix + "hA");
            gwA = add(prefix + "gA");
            gwB = add(prefix + "gB");
            hostB = add(prefix + "hB");
        } catch (RuntimeException e) {
            namespaces.reversed().forEach(Netns::close);
            OPEN.remove(this);
            throw e;
        }
    }

    /** Builds the four namespaces and their wiring; logs go to {@code target/it-logs/<testName>/}. */
    static Topology create(String testName) {
        String prefix = "ocb" + ProcessHandle.current().pid() + "t" + SEQUENCE.incrementAndGet();
        Path logDir = TestHost.logRoot().resolve(testName.replaceAll("[^A-Za-z0-9_.-]+", "_"));
        Topology t;
        try {
            Files.createDirectories(logDir);
            t = new Topology(prefix, logDir, Files.createTempDirectory(prefix + "-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            t.wire();
            return t;
        } catch (RuntimeException e) {
            t.closeQuietly();
            throw e;
        }
    }

    private Netns add(String name) {
        var ns = Netns.create(name);
        namespaces.add(ns);
        return ns;
    }

    private void wire() {
        // Each veth is created inside a namespace with its peer placed straight into the other: nothing in the root netns.
        lan(hostA, gwA, HOST_A, "172.16.1.1");
        lan(hostB, gwB, HOST_B, "172.16.2.1");
        gwA.ip("link", "add", "wan0", "type", "veth", "peer", "name", "wan0", "netns", gwB.name()).orThrow();
        gwA.ip("addr", "add", WAN_A + "/24", "dev", "wan0").orThrow();
        gwB.ip("addr", "add", WAN_B + "/24", "dev", "wan0").orThrow();
        gwA.ip("link", "set", "wan0", "up").orThrow();
        gwB.ip("link", "set", "wan0", "up").orThrow();
        gwA.sysctl("net.ipv4.ip_forward", "1");
        gwB.sysctl("net.ipv4.ip_forward", "1");
    }

    private static void lan(Netns host, Netns gw, String hostAddress, String gwAddress) {
        gw.ip("link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", host.name()).orThrow();
        gw.ip("addr", "add", gwAddress + "/24", "dev", "lan0").orThrow();
        gw.ip("link", "set", "lan0", "up").orThrow();
        host.ip("addr", "add", hostAddress + "/24", "dev", "eth0").orThrow();
        host.ip("link", "set", "eth0", "up").orThrow();
        host.ip("route", "add", "default", "via", gwAddress).orThrow();
    }

    /** A device name unique to this topology and JVM, at most 15 characters (IFNAMSIZ - 1). */
    String deviceName(String suffix) {
        String name = prefix + suffix;
        if (name.length() > 15) {
            throw new IllegalArgumentException("device name too long: " + name);
        }
        return name;
    }

    /** Per-topology scratch folder (keys, configs, payload files); deleted on close. */
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

    /** What of this topology still exists after close: namespaces, root-netns links, sockets, child processes. */
    List<String> leftovers() {
        var found = new ArrayList<String>();
        for (String line : Cmd.run("ip", "netns", "list").output().split("\n")) {
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
        if (OPEN.isEmpty()) { // with no other topology open, every live child of this JVM is a leak
            ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(p -> {
                found.add("child process " + p.pid() + " " + p.info().commandLine().orElse("?") + " (killed)");
                p.destroyForcibly();
            });
        }
        return found;
    }

    private void closeQuietly() {
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

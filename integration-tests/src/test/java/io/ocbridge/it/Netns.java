package io.ocbridge.it;

import io.ocbridge.cli.demo.NamespaceCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One network namespace created by this test run, made and used with the demo's {@link NamespaceCommands}. Everything
 * that touches non-loopback addresses runs in one of these. Deleting it also deletes every device left inside (veths,
 * TUNs of killed daemons).
 */
final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code name} (fails if it exists: names carry the JVM PID, so an existing one is someone else's) with lo up. */
    static Netns create(String name) {
        run(NamespaceCommands.add(name)).orThrow();
        var ns = new Netns(name);
        run(NamespaceCommands.loopbackUp(name)).orThrow();
        return ns;
    }

    String name() {
        return name;
    }

    /** Runs {@code argv} inside this namespace with the default timeout. */
    Cmd.Result exec(String... argv) {
        return exec(Cmd.DEFAULT_TIMEOUT, argv);
    }

    Cmd.Result exec(Duration timeout, String... argv) {
        return Cmd.run(timeout, null, inside(List.of(argv)));
    }

    /** {@code ip <args>} inside this namespace. */
    Cmd.Result ip(String... args) {
        return run(NamespaceCommands.ip(name, args));
    }

    /** Adds bridge {@code name} with STP off (ports forward at once), up. */
    void addBridge(String name) {
        ip("link", "add", name, "type", "bridge", "stp_state", "0").orThrow();
        ip("link", "set", name, "up").orThrow();
    }

    /** Adds a veth pair: {@code name} here, {@code peerName} in {@code peer}; both down, MTU 1500. */
    void addVeth(String name, Netns peer, String peerName) {
        ip("link", "add", name, "type", "veth", "peer", "name", peerName, "netns", peer.name()).orThrow();
    }

    void sysctl(String key, String value) {
        exec("sysctl", "-q", "-w", key + "=" + value).orThrow();
    }

    /**
     * A counter of this namespace's UDP MIB ({@code /proc/net/snmp}, line {@code Udp:}), e.g. {@code RcvbufErrors}:
     * datagrams the kernel dropped because a socket's receive buffer was full.
     */
    long udpCounter(String field) {
        String[] lines = exec("cat", "/proc/net/snmp").orThrow().output().lines()
                .filter(l -> l.startsWith("Udp: ")).toArray(String[]::new);
        List<String> names = List.of(lines[0].split(" "));
        return Long.parseLong(lines[1].split(" ")[names.indexOf(field)]);
    }

    /** Bytes received so far by {@code device} in this namespace (its sysfs statistics). */
    long rxBytes(String device) {
        String file = "/sys/class/net/" + device + "/statistics/rx_bytes";
        return Long.parseLong(exec("cat", file).orThrow().output().strip());
    }

    boolean hasLink(String device) {
        return ip("link", "show", "dev", device).ok();
    }

    /** Starts a long-running {@code argv} inside this namespace; the caller owns the handle. */
    Background spawn(String label, Path log, Map<String, String> env, List<String> argv) {
        return Background.start(label, log, env, inside(argv));
    }

    /** {@code ip netns exec} execs the command in place, so the returned process's PID is the command's own. */
    List<String> inside(List<String> argv) {
        return NamespaceCommands.inside(name, argv);
    }

    /** Deletes the namespace. Processes still inside keep it alive, so stop them first. */
    @Override
    public void close() {
        run(NamespaceCommands.delete(name));
    }

    private static Cmd.Result run(List<String> argv) {
        return Cmd.run(Cmd.DEFAULT_TIMEOUT, null, argv);
    }

    @Override
    public String toString() {
        return name;
    }
}

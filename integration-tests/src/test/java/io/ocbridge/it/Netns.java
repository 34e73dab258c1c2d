package io.ocbridge.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One network namespace created by this test run. Everything that touches non-loopback addresses runs in one of these.
 * Deleting it also deletes every device left inside (veths, TUNs of killed daemons).
 */
final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code name} (fails if it exists: names carry the JVM PID, so an existing one is someone else's) with lo up. */
    static Netns create(String name) {
        Cmd.run("ip", "netns", "add", name).orThrow();
        var ns = new Netns(name);
        ns.ip("link", "set", "lo", "up").orThrow();
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
        var argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return Cmd.run(Cmd.DEFAULT_TIMEOUT, null, argv);
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
        var full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return full;
    }

    /** Deletes the namespace. Processes still inside keep it alive, so stop them first. */
    @Override
    public void close() {
        Cmd.run("ip", "netns", "del", name);
    }

    @Override
    public String toString() {
        return name;
    }
}

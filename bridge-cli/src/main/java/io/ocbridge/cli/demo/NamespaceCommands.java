package io.ocbridge.cli.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The iproute2 commands that make, use and remove a named network namespace ({@code /run/netns/NAME}), as argument
 * lists for {@link BoundedCommand}. Devices are made with {@link #ip}, inside the namespace, so nothing touches the root
 * namespace. Shared by the demo's {@link Namespaces} and the integration tests.
 */
public final class NamespaceCommands {
    private NamespaceCommands() {}

    /** {@code ip netns add NAME}: fails if it exists (it is then someone else's). */
    public static List<String> add(String name) {
        return List.of("ip", "netns", "add", name);
    }

    /** {@code ip -n NAME link set lo up}: a new namespace's loopback starts down. */
    public static List<String> loopbackUp(String name) {
        return ip(name, "link", "set", "lo", "up");
    }

    /** {@code ip -n NAME args}. */
    public static List<String> ip(String name, String... args) {
        var argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        return argv;
    }

    /**
     * {@code argv} run inside namespace {@code name}. {@code ip netns exec} execs the command in place, so the process's
     * PID is the command's own and stopping it by PID reaches the right process.
     */
    public static List<String> inside(String name, List<String> argv) {
        var full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return full;
    }

    /** {@code ip netns del NAME}: also deletes every device left inside. Processes still inside keep it alive. */
    public static List<String> delete(String name) {
        return List.of("ip", "netns", "del", name);
    }

    /** {@code ip netns list}: one namespace a line, its name first. */
    public static List<String> list() {
        return List.of("ip", "netns", "list");
    }
}

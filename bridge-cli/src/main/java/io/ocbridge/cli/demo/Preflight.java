package io.ocbridge.cli.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** What the demo needs before it touches anything: root, and the tools it runs, each named with its Debian package. */
final class Preflight {
    /** Tool → Debian package, for the tools without which there is no demo, in the order they are checked. */
    static final Map<String, String> REQUIRED;

    static {
        var tools = new LinkedHashMap<String, String>();
        tools.put("ip", "iproute2");
        tools.put("dnsmasq", "dnsmasq-base");
        tools.put("busybox", "busybox");
        tools.put("ping", "iputils-ping");
        REQUIRED = Collections.unmodifiableMap(tools);
    }

    /** Optional: without it the transfer step uses the demo's own TCP source and sink ({@link TcpProbe}). */
    static final String IPERF3 = "iperf3";

    private Preflight() {}

    /** Why the demo cannot run as user {@code uid}, or empty. */
    static Optional<String> rootProblem(int uid) {
        return uid == 0 ? Optional.empty() : Optional.of("ocbridge demo: needs root (it creates network namespaces"
                + " and TUN/TAP devices); run: sudo scripts/demo.sh, or sudo bin/ocbridge demo");
    }

    /** One message per missing required tool, naming the Debian package to install; empty when all are there. */
    static List<String> missingTools(Predicate<String> installed) {
        var missing = new ArrayList<String>();
        for (var tool : REQUIRED.keySet()) {
            if (!installed.test(tool)) {
                missing.add("ocbridge demo: `" + tool + "` not found; install it: apt-get install " + REQUIRED.get(tool));
            }
        }
        return missing;
    }

    /** The effective user id of this process (owner of {@code /proc/self}). */
    static int effectiveUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Whether {@code tool} is an executable in {@code PATH}: the demo runs its tools by name, as a shell would. */
    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}

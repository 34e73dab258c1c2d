package io.ocbridge.it;

import io.ocbridge.cli.demo.LinkChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One DHCP lease, taken by busybox {@code udhcpc} in the foreground inside a namespace: it asks, binds, and exits
 * ({@code -f -q -n}). Its event hook is our own script ({@code -s}), which only assigns the leased address to the
 * interface in that namespace: no route, no {@code resolv.conf}, no other file (the stock hook would rewrite
 * {@code /etc/resolv.conf}, shared with the root namespace since we create no {@code /etc/netns/<ns>/}).
 */
final class DhcpClient {
    private static final String HOOK = """
            #!/bin/sh
            # udhcpc event hook of the ocbridge integration tests: assigns the leased address inside this namespace only.
            case "$1" in
                bound|renew)
                    echo "hook: $1 $ip/$mask on $interface from $serverid"
                    exec ip addr replace "$ip/$mask" dev "$interface" ;;
            esac
            """;

    private DhcpClient() {}

    /**
     * Runs udhcpc on {@code device} of {@code ns} (DISCOVER every second) until it has a lease or {@code timeout} passed;
     * returns the address now on the device, or empty. udhcpc is stopped by PID if it is still running by then.
     */
    static Optional<String> lease(Lab lab, Netns ns, String device, Duration timeout) {
        Path hook = writeHook(lab.workDir().resolve("udhcpc-hook.sh"));
        int discovers = (int) Math.max(1, timeout.toSeconds());
        var udhcpc = lab.start(ns, "udhcpc-" + ns.name(), List.of("busybox", "udhcpc", "-f", "-q", "-n",
                "-i", device, "-t", Integer.toString(discovers), "-T", "1", "-s", hook.toString()));
        boolean bound = Wait.until(timeout, () -> address(ns, device).isPresent() || !udhcpc.isAlive());
        if (udhcpc.awaitExit(Duration.ofSeconds(2)).isEmpty()) {
            udhcpc.stop();
        }
        return bound ? address(ns, device) : Optional.empty(); // udhcpc may have given up: then nothing is bound
    }

    /** The first IPv4 address on {@code device}, if any. */
    static Optional<String> address(Netns ns, String device) {
        return LinkChecks.firstIpv4(ns.ip("-4", "-o", "addr", "show", "dev", device).output());
    }

    private static Path writeHook(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(file, HOOK);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

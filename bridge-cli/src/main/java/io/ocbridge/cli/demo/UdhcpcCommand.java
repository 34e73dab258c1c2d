package io.ocbridge.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * One DHCP lease for a VM in a namespace: busybox {@code udhcpc} in the foreground, which asks, binds and exits
 * ({@code -f -q -n}), with our own event hook ({@code -s}) that only assigns the leased address to the interface in
 * that namespace: no route, no {@code resolv.conf} (the stock hook would rewrite {@code /etc/resolv.conf}, shared with
 * the root namespace as no {@code /etc/netns/<ns>/} exists). Shared by the demo's {@code Dhcp} and the integration
 * tests' {@code DhcpClient}; each runs it with its own namespace helper and reads the address with {@link LinkChecks}.
 */
public final class UdhcpcCommand {
    /** Seconds between two DISCOVERs. */
    public static final int DISCOVER_INTERVAL_SECONDS = 1;
    private static final String HOOK = """
            #!/bin/sh
            # udhcpc event hook of ocbridge's demo and integration tests: assigns the leased address inside this
            # namespace, nothing else.
            case "$1" in
                bound|renew)
                    echo "hook: $1 $ip/$mask on $interface from $serverid"
                    exec ip addr replace "$ip/$mask" dev "$interface" ;;
            esac
            """;

    private UdhcpcCommand() {}

    /** {@code busybox udhcpc -f -q -n -i DEVICE -t DISCOVERS -T 1 -s HOOK}: gives up after {@code discovers}. */
    public static List<String> argv(String device, long discovers, Path hook) {
        return List.of("busybox", "udhcpc", "-f", "-q", "-n", "-i", device, "-t", Long.toString(discovers),
                "-T", Integer.toString(DISCOVER_INTERVAL_SECONDS), "-s", hook.toString());
    }

    /** Writes the hook to {@code file} (owner-only, executable) unless it is there already; returns {@code file}. */
    public static Path writeHook(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(file, HOOK);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.ocbridge.it;

import io.ocbridge.cli.demo.LinkChecks;
import io.ocbridge.cli.demo.UdhcpcCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One DHCP lease, taken inside a namespace by the demo's {@link UdhcpcCommand}: busybox udhcpc in the foreground, which
 * asks, binds and exits, with our own event hook that only assigns the leased address (no route, no
 * {@code resolv.conf}); here it runs in the background of the lab, stopped by PID.
 */
final class DhcpClient {
    private DhcpClient() {}

    /**
     * Runs udhcpc on {@code device} of {@code ns} (DISCOVER every second) until it has a lease or {@code timeout} passed;
     * returns the address now on the device, or empty. udhcpc is stopped by PID if it is still running by then.
     */
    static Optional<String> lease(Lab lab, Netns ns, String device, Duration timeout) {
        Path hook = UdhcpcCommand.writeHook(lab.workDir().resolve("udhcpc-hook.sh"));
        long discovers = Math.max(1, timeout.toSeconds());
        var udhcpc = lab.start(ns, "udhcpc-" + ns.name(), UdhcpcCommand.argv(device, discovers, hook));
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
}

package io.ocbridge.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The enterprise DHCP server and the VMs' DHCP client, confined to their namespaces and the demo's temp folder.
 * Server: dnsmasq (Debian {@code dnsmasq-base}) in the foreground, DHCP only: no config file, no DNS, no hosts file,
 * no PID file, leases in the temp folder, no 3-second ping probe before an offer ({@code --no-ping}). Client:
 * {@link UdhcpcCommand}, busybox udhcpc with our own event hook, which only runs {@code ip addr replace} in the VM's
 * namespace.
 */
final class Dhcp {
    static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(10);
    static final Duration LEASE_TIMEOUT = Duration.ofSeconds(20);
    static final String LEASE_TIME = "10m";

    private final Path log;
    private final Path leaseFile;

    private Dhcp(Path log, Path leaseFile) {
        this.log = log;
        this.leaseFile = leaseFile;
    }

    /** Starts dnsmasq on {@code device} of namespace {@code ns}, serving first..last; returns once it listens. */
    static Dhcp startServer(Namespaces net, String ns, String device, String first, String last) {
        Path dir = net.workDir().resolve("dhcp");
        Path log = dir.resolve("dnsmasq.log");
        Path leases = dir.resolve("dnsmasq.leases");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var process = net.spawn(ns, log, List.of("dnsmasq",
                "--keep-in-foreground", "--log-facility=-", "--pid-file=", "--conf-file=/dev/null",
                "--no-resolv", "--no-hosts", "--port=0", "--no-ping",
                "--interface=" + device, "--bind-interfaces",
                "--dhcp-range=" + first + "," + last + ",255.255.255.0," + LEASE_TIME,
                "--dhcp-leasefile=" + leases, "--log-dhcp"));
        var server = new Dhcp(log, leases);
        boolean up = Waits.until(SERVER_START_TIMEOUT,
                () -> !process.isAlive() || Waits.read(log).contains("sockets bound exclusively"));
        if (!up || !process.isAlive()) {
            throw new DemoFailure("dnsmasq did not start within " + SERVER_START_TIMEOUT.toSeconds() + " s; its log:\n"
                    + Waits.read(log).strip());
        }
        return server;
    }

    Path log() {
        return log;
    }

    /** dnsmasq's lease-file line for {@code address} (expiry, MAC, address, name, client id), if written yet. */
    Optional<String> leaseLine(String address) {
        return Waits.read(leaseFile).lines().filter(l -> l.contains(" " + address + " ")).findFirst();
    }

    /** dnsmasq's {@code DHCPACK} log line for {@code address}, if any. */
    Optional<String> ackLine(String address) {
        return Waits.read(log).lines().filter(l -> l.contains("DHCPACK") && l.contains(address)).findFirst();
    }

    /**
     * udhcpc on {@code device} of {@code ns} (a DISCOVER every second) until it binds or {@link #LEASE_TIMEOUT};
     * returns the address now on the device. udhcpc exits by itself after binding ({@code -q}).
     */
    static String lease(Namespaces net, String ns, String device) {
        Path hook = UdhcpcCommand.writeHook(net.workDir().resolve("dhcp").resolve("udhcpc-hook.sh"));
        var r = net.exec(ns, LEASE_TIMEOUT.plusSeconds(2),
                UdhcpcCommand.argv(device, LEASE_TIMEOUT.toSeconds(), hook).toArray(String[]::new));
        return address(net, ns, device).orElseThrow(() -> new DemoFailure(ns + ": no DHCP lease within "
                + LEASE_TIMEOUT.toSeconds() + " s; udhcpc said:\n" + r.output().strip()));
    }

    /** The first IPv4 address on {@code device} of {@code ns}, if any. */
    static Optional<String> address(Namespaces net, String ns, String device) {
        return LinkChecks.firstIpv4(net.ip(ns, "-4", "-o", "addr", "show", "dev", device).output());
    }
}

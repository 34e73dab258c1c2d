package io.ocbridge.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * dnsmasq as a DHCP server only, in the foreground inside one namespace, stopped by its PID with the rest of the lab.
 * It reads no system file ({@code --conf-file=/dev/null}, {@code --no-resolv}, {@code --no-hosts}), serves no DNS
 * ({@code --port=0}), writes its leases into the lab's work folder and no PID file. Debian package {@code dnsmasq-base}
 * (not {@code dnsmasq}, which also installs and starts a system service).
 */
final class DhcpServer {
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    static final String LEASE_TIME = "10m";

    private final Background process;
    private final Path leaseFile;

    private DhcpServer(Background process, Path leaseFile) {
        this.process = process;
        this.leaseFile = leaseFile;
    }

    /** Serves {@code firstAddress..lastAddress} (a /24) on {@code device} of {@code ns}; returns once it listens. */
    static DhcpServer start(Lab lab, Netns ns, String device, String firstAddress, String lastAddress) {
        Path leases = lab.workDir().resolve("dnsmasq-" + ns.name() + ".leases");
        var process = lab.start(ns, "dnsmasq", List.of("dnsmasq",
                "--conf-file=/dev/null", "--no-daemon", "--no-resolv", "--no-hosts", "--port=0",
                "--interface=" + device, "--bind-interfaces",
                "--dhcp-range=" + firstAddress + "," + lastAddress + ",255.255.255.0," + LEASE_TIME,
                "--dhcp-leasefile=" + leases, "--pid-file=", "--log-dhcp"));
        boolean up = Wait.until(START_TIMEOUT,
                () -> !process.isAlive() || process.logText().contains("DHCP, sockets bound exclusively"));
        if (!up || !process.isAlive()) {
            throw new IllegalStateException("dnsmasq did not start: " + process + "\n" + process.logText());
        }
        return new DhcpServer(process, leases);
    }

    /** The {@code DHCPACK} lines of its log: who got which address. */
    List<String> acks() {
        return process.logLinesMatching("DHCPACK");
    }

    Background process() {
        return process;
    }

    Path leaseFile() {
        return leaseFile;
    }
}

package io.ocbridge.cli.demo;

import static io.ocbridge.cli.demo.DemoTopology.DHCP;
import static io.ocbridge.cli.demo.DemoTopology.ENT_HOST1;
import static io.ocbridge.cli.demo.DemoTopology.ENT_HOST1_ADDRESS;
import static io.ocbridge.cli.demo.DemoTopology.GW_DC;
import static io.ocbridge.cli.demo.DemoTopology.HOST_DEVICE;
import static io.ocbridge.cli.demo.DemoTopology.VM1;
import static io.ocbridge.cli.demo.DemoTopology.VM2;

import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.crypto.keys.PrivateKey;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ocbridge demo}: builds an enterprise site and two cloud sites in network namespaces on this host, runs a real
 * {@code ocbridge up} on each gateway, and shows the enterprise LAN stretched into the clouds (DHCP, ARP, pings,
 * full-size frames, a TCP transfer), then removes everything it made. Exit 0 ok, 1 a step failed, 2 not root or a
 * tool missing. The main thread runs the steps; a shutdown hook tears down on Ctrl-C or SIGTERM.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a three-site stretched-LAN demo in network namespaces on this host (needs root).",
            "Nothing is added to the root namespace; everything is removed when it ends."})
public final class DemoCommand implements Callable<Integer> {
    static final Duration DAEMON_READY_TIMEOUT = Duration.ofSeconds(20);
    static final Duration PATH_UP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(20);
    static final int PINGS = 5;
    /** ICMP payload of a full-size frame: 1500 - 20 (IPv4) - 8 (ICMP). */
    static final int FULL_SIZE_PAYLOAD = DemoTopology.LAN_MTU - 28;
    static final int TRANSFER_SECONDS = 3;
    static final int TRANSFER_PORT = 5201;
    static final int LOG_TAIL_LINES = 15;
    static final Duration INTERRUPT_GRACE = Duration.ofMillis(500);
    /** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
    static final int EXIT_INTERRUPTED = 130;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keep", description = "Leave the sites running until Ctrl-C, and print how to enter them.")
    boolean keep;

    @Option(names = "--no-transfer", description = "Skip the TCP throughput step.")
    boolean noTransfer;

    private Namespaces net;
    private Step step;
    private final List<Path> daemonLogs = new ArrayList<>();
    private final CountDownLatch tornDown = new CountDownLatch(1);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var refusal = Preflight.rootProblem(Preflight.effectiveUid());
        if (refusal.isPresent()) {
            err.println(refusal.get());
            return CommandLine.ExitCode.USAGE;
        }
        var missing = Preflight.missingTools(Preflight::onPath);
        if (!missing.isEmpty()) {
            missing.forEach(err::println);
            err.println("ocbridge demo: or run scripts/install-deps.sh, which installs all of them");
            return CommandLine.ExitCode.USAGE;
        }
        step = new Step(out, System.nanoTime());
        net = Namespaces.open();
        Thread hook = new Thread(() -> {
            if (!net.closed()) {
                out.println();
                out.println("interrupted; tearing down");
                finish(out, err);
            }
        }, "demo-teardown");
        Runtime.getRuntime().addShutdownHook(hook);
        int exit = CommandLine.ExitCode.OK;
        try {
            out.printf("ocbridge demo: an enterprise LAN stretched to two cloud sites, in network namespaces %s* "
                    + "on this host%n", net.prefix());
            run(out);
            if (keep) {
                keepRunning(out);
            }
        } catch (RuntimeException e) {
            // Ctrl-C reaches our children too, so a step may fail a moment before the hook starts: it reports, not we.
            if (Waits.until(INTERRUPT_GRACE, net::closed)) {
                return EXIT_INTERRUPTED;
            }
            exit = CommandLine.ExitCode.SOFTWARE;
            err.printf(Locale.ROOT, "%nocbridge demo: step %d failed: %s%n", step.number(),
                    e instanceof DemoFailure ? e.getMessage() : e.toString());
            for (Path log : daemonLogs) {
                err.println("--- last lines of " + log.getParent().getFileName() + "/" + log.getFileName());
                Waits.tail(log, LOG_TAIL_LINES).forEach(line -> err.println("  " + line));
            }
            err.flush();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return exit; // the hook runs the teardown
        }
        return finish(out, err) ? exit : CommandLine.ExitCode.SOFTWARE;
    }

    private void run(PrintWriter out) {
        step.begin("Build the sites: " + DemoTopology.NAMESPACES.size() + " network namespaces");
        DemoTopology.build(net);
        step.detail("""
                enterprise  %1$sgw-dc: br-lan 10.20.0.1/24 with %1$sent-host1 10.20.0.11, %1$sent-host2 10.20.0.12,
                            %1$sdhcp 10.20.0.2 (veths, MTU 1500)
                cloud 1     %1$sgw-cloud1: br-lan with %1$svm1 (no address yet); 172.21.1.1 behind it (routed)
                cloud 2     %1$sgw-cloud2: br-lan with %1$svm2 (no address yet)
                underlay    bridge br-wan in %1$swan: gw-dc 192.0.2.1, gw-cloud1 192.0.2.2, gw-cloud2 192.0.2.3""",
                net.prefix());
        step.done();

        step.begin("Start the enterprise DHCP server: dnsmasq in dhcp, range "
                + DemoTopology.DHCP_FIRST + "-" + DemoTopology.DHCP_LAST);
        var dhcp = Dhcp.startServer(net, DHCP, HOST_DEVICE, DemoTopology.DHCP_FIRST, DemoTopology.DHCP_LAST);
        step.detail("log %s", dhcp.log());
        step.done();

        step.begin("Generate keys and site configs (overlay corp 10.77.0.0/24, full mesh; segment lan, VNI 100)");
        var configs = writeConfigs();
        step.done();

        step.begin("Start ocbridge on the three gateways (responders first, so no first handshake is lost)");
        for (int i = configs.size() - 1; i >= 0; i--) {
            var gw = DemoTopology.GATEWAYS.get(i);
            Path log = configs.get(i).resolveSibling("ocbridge.log");
            daemonLogs.add(log);
            long startNs = System.nanoTime();
            var p = net.spawn(gw.namespace(), log, List.of(javaCommand(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", classPath(), mainClass(), "up", "-c", configs.get(i).toString()));
            awaitReady(gw, p, log);
            step.detail("%-10s pid %d, ready after %s, log %s", gw.namespace(), p.pid(),
                    Step.seconds(System.nanoTime() - startNs), log);
        }
        step.detail("each gateway: TUN %s up with its overlay address, TAP %s up in %s",
                SiteYaml.TUN_DEVICE, SiteYaml.TAP_DEVICE, SiteYaml.BRIDGE);
        step.done();

        step.begin("vm1 (cloud 1) asks for a DHCP lease: the broadcast crosses the tunnel to the enterprise dnsmasq");
        String vm1 = leaseFor(VM1, dhcp);
        step.done();

        step.begin("vm1 pings ent-host1 " + ENT_HOST1_ADDRESS);
        ping(VM1, ENT_HOST1_ADDRESS);
        step.done();

        step.begin("ent-host1's neighbour table: vm1 answered ARP across the tunnel, with its own MAC");
        String vm1Mac = macOf(VM1);
        String neigh = net.ip(ENT_HOST1, "neigh", "show", vm1).output().strip();
        step.detail("ent-host1$ ip neigh show %s\n%s", vm1, neigh);
        if (!LinkChecks.neighbourIs(neigh, vm1Mac)) {
            throw new DemoFailure("ent-host1 should know " + vm1 + " at " + vm1Mac + ", ip neigh says: " + neigh);
        }
        step.detail("= vm1's eth0 (%s)", vm1Mac);
        step.done();

        step.begin("vm2 (cloud 2) takes a lease too; vm1 <-> vm2 across the mesh (cloud to cloud, not via dc)");
        String vm2 = leaseFor(VM2, dhcp);
        ping(VM1, vm2);
        ping(VM2, vm1);
        step.done();

        step.begin("Full-size frames: vm1 pings ent-host1 with ping -M do -s " + FULL_SIZE_PAYLOAD
                + " (1500-byte packets, DF set)");
        ping(VM1, ENT_HOST1_ADDRESS, "-M", "do", "-s", Integer.toString(FULL_SIZE_PAYLOAD));
        step.done();

        step.begin("Layer 3 too: gw-dc pings " + DemoTopology.CLOUD1_SUBNET_HOST + " in "
                + DemoTopology.CLOUD1_SUBNET + ", routed through the overlay to gw-cloud1");
        step.detail("gw-dc$ ip route show %s\n%s", DemoTopology.CLOUD1_SUBNET,
                net.ip(GW_DC, "route", "show", DemoTopology.CLOUD1_SUBNET).output().strip());
        ping(GW_DC, DemoTopology.CLOUD1_SUBNET_HOST);
        step.done();

        if (!noTransfer) {
            boolean iperf = Preflight.onPath(Preflight.IPERF3);
            step.begin("TCP transfer vm1 -> ent-host1 for " + TRANSFER_SECONDS + " s ("
                    + (iperf ? "iperf3" : "iperf3 not installed: the demo's own TCP source and sink") + ")");
            if (iperf) {
                iperf3();
            } else {
                tcpProbe();
            }
            step.done();
        }

        step.begin("The peers as gw-dc's daemon reports them: ocbridge status --socket "
                + configs.getFirst().resolveSibling("control.sock"));
        var status = net.exec(GW_DC, STATUS_TIMEOUT, javaCommand(), "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath(), mainClass(), "status", "--socket",
                configs.getFirst().resolveSibling("control.sock").toString());
        step.detail("%s", status.orThrow(DemoFailure::new).output().stripTrailing());
        step.done();
    }

    /**
     * Keys from the Java API into 0600 files, one folder per site: site.yaml, private.key, later its socket and log.
     * Each pair of sites has one initiator: a site names the endpoints of the sites after it (dc: both clouds,
     * cloud1: cloud2); the other side learns the initiator's endpoint from its handshake.
     */
    private List<Path> writeConfigs() {
        var keys = new ArrayList<PrivateKey>();
        var peers = new ArrayList<SiteYaml.Peer>();
        for (var gw : DemoTopology.GATEWAYS) {
            var key = PrivateKey.generate();
            keys.add(key);
            peers.add(new SiteYaml.Peer(gw.site(), key.publicKey().toBase64(), false));
        }
        var files = new ArrayList<Path>();
        try {
            for (int i = 0; i < keys.size(); i++) {
                var gw = DemoTopology.GATEWAYS.get(i);
                Path dir = Files.createDirectory(net.workDir().resolve(gw.namespace()));
                KeyFiles.createSecret(dir.resolve(SiteYaml.PRIVATE_KEY_FILE), keys.get(i).toBase64());
                keys.get(i).destroy();
                int self = i;
                var others = peers.stream().filter(p -> !p.site().equals(gw.site()))
                        .map(p -> p.withEndpoint(peers.indexOf(p) > self)).toList(); // one initiator per pair
                Path yaml = dir.resolve("site.yaml");
                Files.writeString(yaml, SiteYaml.render(gw.site(), "control.sock", others));
                files.add(yaml);
                step.detail("%-10s %s  (public key %s)", gw.namespace(), yaml, peers.get(i).publicKey());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        step.detail("each folder also holds private.key (0600), and later control.sock and ocbridge.log");
        return files;
    }

    /** Ready: the TUN has the overlay address and is up, the TAP is up in br-lan. Fails fast if the daemon exits. */
    private void awaitReady(DemoTopology.Gateway gw, Process daemon, Path log) {
        String ns = gw.namespace();
        boolean ready = Waits.until(DAEMON_READY_TIMEOUT, () -> !daemon.isAlive()
                || (linkUp(ns, SiteYaml.TUN_DEVICE)
                    && net.exec(ns, Namespaces.COMMAND_TIMEOUT, "ip", "-o", "addr", "show", "dev", SiteYaml.TUN_DEVICE)
                            .output().contains("inet " + gw.site().overlayAddress() + "/")
                    && linkUp(ns, SiteYaml.TAP_DEVICE)
                    && net.exec(ns, Namespaces.COMMAND_TIMEOUT, "ip", "-o", "link", "show", "dev", SiteYaml.TAP_DEVICE)
                            .output().contains(" master " + SiteYaml.BRIDGE + " ")));
        if (!daemon.isAlive()) {
            throw new DemoFailure("ocbridge in " + ns + " exited with code " + daemon.exitValue() + "; log " + log);
        }
        if (!ready) {
            throw new DemoFailure("ocbridge in " + ns + " not ready within " + DAEMON_READY_TIMEOUT.toSeconds()
                    + " s (TUN " + SiteYaml.TUN_DEVICE + ", TAP " + SiteYaml.TAP_DEVICE + " in " + SiteYaml.BRIDGE
                    + "); log " + log);
        }
    }

    private boolean linkUp(String ns, String device) {
        var r = net.exec(ns, Namespaces.COMMAND_TIMEOUT, "ip", "-o", "link", "show", "dev", device);
        return r.ok() && r.output().matches("(?s).*[<,]UP[,>].*");
    }

    private String leaseFor(String vm, Dhcp dhcp) {
        long startNs = System.nanoTime();
        String address = Dhcp.lease(net, vm, HOST_DEVICE);
        step.detail("%s got %s after %s", vm, address, Step.seconds(System.nanoTime() - startNs));
        Waits.until(Duration.ofSeconds(2), () -> dhcp.leaseLine(address).isPresent());
        dhcp.ackLine(address).ifPresent(line -> step.detail("dnsmasq log:   %s", line.strip()));
        step.detail("dnsmasq lease: %s", dhcp.leaseLine(address).orElse("(not in the lease file yet)"));
        return address;
    }

    /** Waits (bounded) for a first reply, then {@value #PINGS} pings; prints ping's two summary lines. */
    private void ping(String from, String to, String... options) {
        var first = PingCommand.quiet(to, 1, options);
        boolean up = Waits.until(PATH_UP_TIMEOUT,
                () -> net.exec(from, PingCommand.timeout(1), first.toArray(String[]::new)).ok());
        var full = PingCommand.quiet(to, PINGS, options);
        var r = net.exec(from, PingCommand.timeout(PINGS), full.toArray(String[]::new));
        var summary = r.output().lines().filter(l -> l.contains("transmitted") || l.startsWith("rtt"))
                .collect(Collectors.joining("\n"));
        step.detail("%s$ %s\n%s", from, String.join(" ", full), summary.isEmpty() ? r.output().strip() : summary);
        var pings = PingCommand.parse(r.output());
        if (!up || pings.received() != PINGS) {
            throw new DemoFailure(from + " -> " + to + ": " + (up ? "replies missing" : "no reply within "
                    + PATH_UP_TIMEOUT.toSeconds() + " s"));
        }
        if (pings.duplicates() > 0) {
            throw new DemoFailure(from + " -> " + to + ": duplicate replies (a flooding loop?)");
        }
    }

    private String macOf(String ns) {
        return LinkChecks.mac(net.ip(ns, "-o", "link", "show", "dev", HOST_DEVICE).output())
                .orElseThrow(() -> new DemoFailure("no MAC address on " + ns + "'s " + HOST_DEVICE));
    }

    private void iperf3() {
        Path log = net.workDir().resolve("iperf3-server.log");
        var server = net.spawn(ENT_HOST1, log, List.of("iperf3", "-s", "-1", "-B", ENT_HOST1_ADDRESS,
                "-p", Integer.toString(TRANSFER_PORT)));
        if (!Waits.until(Duration.ofSeconds(5), () -> !server.isAlive() || listening(ENT_HOST1, TRANSFER_PORT))
                || !server.isAlive()) {
            throw new DemoFailure("iperf3 server did not start: " + Waits.read(log).strip());
        }
        var r = net.exec(VM1, Duration.ofSeconds(TRANSFER_SECONDS + 20L), "iperf3", "-c", ENT_HOST1_ADDRESS,
                "-p", Integer.toString(TRANSFER_PORT), "-t", Integer.toString(TRANSFER_SECONDS), "-f", "m");
        var lines = r.output().lines().filter(l -> l.contains("sender") || l.contains("receiver"))
                .map(l -> l.replaceFirst("^\\[\\s*\\d+\\]\\s*", "")).toList();
        if (!r.ok() || lines.isEmpty()) {
            throw new DemoFailure("iperf3 vm1 -> ent-host1 failed:\n" + r.output().strip());
        }
        step.detail("vm1$ iperf3 -c %s -t %d\n%s", ENT_HOST1_ADDRESS, TRANSFER_SECONDS,
                "Interval           Transfer     Bitrate         Retr\n" + String.join("\n", lines));
        Namespaces.stop(server);
    }

    private void tcpProbe() {
        Path log = net.workDir().resolve("tcp-sink.log");
        var sink = net.spawn(ENT_HOST1, log, List.of(javaCommand(), "-cp", classPath(), TcpProbe.class.getName(),
                "sink", ENT_HOST1_ADDRESS, Integer.toString(TRANSFER_PORT)));
        if (!Waits.until(Duration.ofSeconds(10), () -> !sink.isAlive() || listening(ENT_HOST1, TRANSFER_PORT))
                || !sink.isAlive()) {
            throw new DemoFailure("TCP sink did not start: " + Waits.read(log).strip());
        }
        var r = net.exec(VM1, Duration.ofSeconds(TRANSFER_SECONDS + 20L), javaCommand(), "-cp", classPath(),
                TcpProbe.class.getName(), "source", ENT_HOST1_ADDRESS, Integer.toString(TRANSFER_PORT),
                Integer.toString(TRANSFER_SECONDS));
        if (!r.ok()) {
            throw new DemoFailure("TCP transfer vm1 -> ent-host1 failed:\n" + r.output().strip());
        }
        Waits.until(Duration.ofSeconds(5), () -> !sink.isAlive());
        step.detail("vm1       %s\nent-host1 %s", r.output().strip(),
                Waits.read(log).lines().filter(l -> l.startsWith("received")).findFirst().orElse("(no summary)"));
        Namespaces.stop(sink);
    }

    /** Whether a TCP socket listens on {@code port} in namespace {@code ns} ({@code ss}, from iproute2). */
    private boolean listening(String ns, int port) {
        return !net.exec(ns, Namespaces.COMMAND_TIMEOUT, "ss", "-Hltn", "sport", "=", ":" + port).output().isBlank();
    }

    private void keepRunning(PrintWriter out) {
        String p = net.prefix();
        out.printf("""

                The sites stay up until Ctrl-C. In another terminal, as root:
                  ip netns exec %1$svm1 bash                 # a cloud VM: ping 10.20.0.11, ip neigh
                  ip netns exec %1$sent-host1 bash           # an enterprise host
                  ip netns exec %1$sgw-dc bash               # the enterprise gateway: ip link, bridge fdb show br br-lan
                  %2$s status --socket %3$s
                Namespaces: %4$s
                Configs and logs: %5$s
                """, p, "bin/ocbridge", net.workDir().resolve(GW_DC).resolve("control.sock"),
                DemoTopology.NAMESPACES.stream().map(net::ns).collect(Collectors.joining(" ")), net.workDir());
        out.flush();
        try {
            tornDown.await(); // released by nothing but the process ending: Ctrl-C runs the teardown hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tears down, checks that nothing is left, prints the closing line; true if nothing is left behind. */
    private boolean finish(PrintWriter out, PrintWriter err) {
        long startNs = System.nanoTime();
        var left = net.teardown();
        tornDown.countDown();
        if (!left.isEmpty()) {
            err.println("ocbridge demo: teardown incomplete:");
            left.forEach(l -> err.println("  " + l));
            err.flush();
            return false;
        }
        out.printf(Locale.ROOT, "%nteardown: processes stopped, %d namespaces and %s removed (%s)%n",
                DemoTopology.NAMESPACES.size(), net.workDir(), Step.seconds(System.nanoTime() - startNs));
        out.printf(Locale.ROOT, "demo finished in %.0f s; nothing left behind%n", step.elapsedSeconds());
        out.flush();
        return true;
    }

    /** The java executable running this command, so the daemons run on the same JDK. */
    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's class path, absolute (the daemons start in another working context). */
    static String classPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The CLI's main class, which runs each gateway's daemon: the root command's, so the demo does not import it. */
    private String mainClass() {
        return spec.root().userObject().getClass().getName();
    }
}

package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * {@code ocbridge up -c site.yaml} on one gateway, started through the real launcher {@code bin/ocbridge}
 * (which execs java, so the process's PID is the daemon's). Can be killed and started again with the same config.
 */
final class OcbridgeDaemon {
    /** JVM start, TUN creation, address and routes. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Lab topology;
    private final Site local;
    private final String device;
    private final List<Site.Peer> peers;
    private final List<SiteConfig.Segment> segments;
    private final Path config;
    private final Map<String, String> environment;
    private final Duration readyTimeout;
    /** Site-level config lines, kept so the config can be written again ({@link #rewrite}). */
    private final List<String> siteLines;
    private Background process;
    private int starts;

    private OcbridgeDaemon(Lab topology, Site local, String device, List<Site.Peer> peers,
                           List<SiteConfig.Segment> segments, Path config, Map<String, String> environment,
                           Duration readyTimeout, List<String> siteLines) {
        this.siteLines = List.copyOf(siteLines);
        this.topology = topology;
        this.local = local;
        this.device = device;
        this.peers = peers;
        this.segments = segments;
        this.config = config;
        this.environment = Map.copyOf(environment);
        this.readyTimeout = readyTimeout;
    }

    /** Writes the config for {@code local} with one {@code peer}, starts the daemon and waits until it is ready. */
    static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, Site.Peer peer) {
        return start(t, local, deviceSuffix, List.of(peer), List.of());
    }

    /**
     * As {@link #start(Lab, Site, String, Site.Peer)}, each run of the daemon with extra {@code environment} (e.g. an
     * {@code LD_PRELOAD} that slows its start) and its own {@code readyTimeout}.
     */
    static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, Site.Peer peer,
                                Map<String, String> environment, Duration readyTimeout) {
        return start(t, local, deviceSuffix, List.of(peer), List.of(), environment, readyTimeout);
    }

    /**
     * Writes the config for {@code local} with {@code peers} and L2 {@code segments} (their {@code device} is the full
     * TAP name), starts the daemon and waits until it is ready.
     */
    static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                List<SiteConfig.Segment> segments) {
        return start(t, local, deviceSuffix, peers, segments, Map.of(), READY_TIMEOUT);
    }

    /** As above, with site-level config lines ({@code ha:} for a gateway of an HA pair). */
    static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                List<SiteConfig.Segment> segments, List<String> siteLines) {
        return start(t, local, deviceSuffix, peers, segments, Map.of(), READY_TIMEOUT, siteLines);
    }

    private static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                        List<SiteConfig.Segment> segments, Map<String, String> environment,
                                        Duration readyTimeout) {
        return start(t, local, deviceSuffix, peers, segments, environment, readyTimeout, List.of());
    }

    /** One overlay with {@code peers} and extra {@code overlayLines} (e.g. {@code default-route: true}), started. */
    static OcbridgeDaemon startWithOverlayLines(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                                List<String> overlayLines) {
        return start(t, local, deviceSuffix, peers, List.of(), Map.of(), READY_TIMEOUT, List.of(), overlayLines);
    }

    private static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                        List<SiteConfig.Segment> segments, Map<String, String> environment,
                                        Duration readyTimeout, List<String> siteLines) {
        return start(t, local, deviceSuffix, peers, segments, environment, readyTimeout, siteLines, List.of());
    }

    private static OcbridgeDaemon start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers,
                                        List<SiteConfig.Segment> segments, Map<String, String> environment,
                                        Duration readyTimeout, List<String> siteLines, List<String> overlayLines) {
        String device = t.deviceName(deviceSuffix);
        Path config = SiteConfig.write(t.workDir().resolve(local.name()), local, device, peers, segments,
                SiteConfig.Pki.NONE, siteLines, overlayLines);
        var daemon = new OcbridgeDaemon(t, local, device, List.copyOf(peers), List.copyOf(segments), config,
                environment, readyTimeout, siteLines);
        daemon.startAgain();
        return daemon;
    }

    /**
     * {@code bin/ocbridge}, unless system property {@code ocbridge.it.launcher} names another executable (relative to the
     * repository root), e.g. the wireguard-go stand-in in test resources that checks these tests themselves.
     */
    static Path launcher() {
        String override = System.getProperty("ocbridge.it.launcher", "");
        return TestHost.repoRoot().resolve(override.isBlank() ? "bin/ocbridge" : override);
    }

    /** Starts a new daemon process with the same config (after {@link #kill()}), and waits until it is ready. */
    void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running: " + process);
        }
        starts++;
        String label = "ocbridge-" + local.name() + (starts == 1 ? "" : "-run" + starts);
        copyConfigNextToLog(label);
        process = topology.start(local.gateway(), label, environment,
                List.of(launcher().toString(), "up", "-c", config.toString()));
        awaitReady();
    }

    /**
     * Ready = the TUN device is up with the overlay address and a route through it for each routed allowed IP, and each
     * segment's TAP device is up (and enslaved in its bridge, if it names one).
     * Fails fast, with the log, if the daemon exits first.
     */
    private void awaitReady() {
        var ns = local.gateway();
        boolean ready = Wait.until(readyTimeout, () -> !process.isAlive()
                || (ns.ip("-o", "addr", "show", "dev", device).output().contains("inet " + local.overlayCidr())
                    && isUp(device)
                    && peers.stream().flatMap(p -> p.routedIps().stream()).allMatch(this::routes)
                    && segments.stream().allMatch(this::segmentReady)));
        if (!process.isAlive()) {
            throw new AssertionError("ocbridge on " + local.name() + " exited with code " + process.process().exitValue()
                    + " before its overlay was ready; log " + process.log() + ":\n" + String.join("\n", process.tail(40)));
        }
        if (!ready) {
            throw new AssertionError("ocbridge on " + local.name() + " not ready within " + readyTimeout
                    + " (device " + device + ", address " + local.overlayCidr() + ", routes "
                    + peers.stream().flatMap(p -> p.routedIps().stream()).toList() + ", segments " + segments + ")\n"
                    + ns.ip("-d", "addr", "show").output() + ns.ip("route", "show").output()
                    + "log:\n" + String.join("\n", process.tail(40)));
        }
    }

    private boolean isUp(String link) {
        return local.gateway().ip("-o", "link", "show", "dev", link).output().matches("(?s).*[<,]UP[,>].*");
    }

    private boolean segmentReady(SiteConfig.Segment segment) {
        return isUp(segment.device()) && (segment.bridge() == null
                || local.gateway().ip("-o", "link", "show", "dev", segment.device()).output()
                        .contains(" master " + segment.bridge() + " "));
    }

    private void copyConfigNextToLog(String label) {
        try {
            Files.copy(config, topology.logFile(label).resolveSibling(label + ".yaml"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the config again with the same site, peers and segments but {@code overlayLines} instead of the ones it
     * was started with; the running daemon sees it on its next reload.
     */
    void rewrite(List<String> overlayLines) {
        SiteConfig.write(config.getParent(), local, device, peers, segments, SiteConfig.Pki.NONE, siteLines,
                overlayLines);
    }

    /** {@code ocbridge COMMAND --socket <this daemon's control socket> ARGS} in its gateway's namespace. */
    Cmd.Result cli(String command, String... args) {
        var argv = new java.util.ArrayList<>(List.of(launcher().toString(), command, "--socket",
                config.resolveSibling("control.sock").toString()));
        argv.addAll(List.of(args));
        return local.gateway().exec(Duration.ofSeconds(60), argv.toArray(String[]::new));
    }

    /** SIGTERM, as systemd stops it; waits up to {@link Background#STOP_GRACE}. Returns the exit code, or empty. */
    OptionalInt terminate() {
        return process.terminate(Background.STOP_GRACE);
    }

    /** Whether a route for {@code cidr} still goes through this daemon's device. */
    boolean routes(String cidr) {
        // ip route show lists IPv4 unless told otherwise, whatever the prefix.
        return local.gateway().ip(cidr.contains(":") ? "-6" : "-4", "route", "show", cidr).output()
                .contains("dev " + device);
    }

    /** SIGKILL: a crash. The daemon gets no chance to remove its device or routes. */
    void kill() {
        process.kill();
    }

    Background process() {
        return process;
    }

    String device() {
        return device;
    }

    Path config() {
        return config;
    }
}

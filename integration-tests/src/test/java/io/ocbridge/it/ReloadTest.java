package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live reload on gateway A while a 10 s TCP stream (iperf3) crosses its untouched peer B: one peer added, one peer's
 * allowed-ips changed, one removed; an invalid config refused with its errors; SIGHUP. B's session is never renewed
 * (the overlay's completed-handshake counter does not move) and the stream runs its 10 s without a reset.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class ReloadTest extends LabTest<Topology> {
    private static final Pattern SENT = Pattern.compile("\"sum_sent\":\\s*\\{[^}]*?\"bytes\":\\s*(\\d+)");
    private static final Pattern RECEIVED = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bytes\":\\s*(\\d+)");

    private Site a;
    private Site.Peer b;
    private Path configA;
    private Background daemonA;

    private static Site.Peer fake(String name, String... allowed) {
        return new Site.Peer(name, Keys.generate().publicKey(), List.of(allowed), null, null, null);
    }

    private final Site.Peer c = fake("site-c", "172.16.30.0/24");
    private final Site.Peer d = fake("site-d", "172.16.40.0/24");
    private final Site.Peer dMoved = new Site.Peer("site-d", d.publicKey(), List.of("172.16.41.0/24"), null, null, null);
    private final Site.Peer e = fake("site-e", "172.16.50.0/24");

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "reload is ocbridge's own");
        Assumptions.assumeTrue(TestHost.onPath("iperf3"), "iperf3 not installed");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        Keys.Pair keysA = Keys.generate();
        a = Site.a(net, keysA);
        Site siteB = Site.b(net, Keys.generate());
        OcbridgeDaemon.start(net, siteB, "b", a.asPeer().withEndpoint(a.endpoint()));
        b = siteB.asPeer().withEndpoint(siteB.endpoint());
        configA = writeA(List.of(b, c, d));
        daemonA = net.start(net.gwA, "ocbridge-site-a",
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));
        assertTrue(Wait.until(OcbridgeDaemon.READY_TIMEOUT, () -> !daemonA.isAlive() || cli("status", "--json").ok())
                && daemonA.isAlive(), "site A did not come up:\n" + String.join("\n", daemonA.tail(40)));
    }

    private Path writeA(List<Site.Peer> peers) {
        Path written = SiteConfig.write(net.workDir().resolve(a.name()), a, net.deviceName("a"), peers, List.of());
        try {
            // Metrics on the namespace's loopback, to see that a reload rebinds the per-peer series.
            Files.writeString(written, "metrics:\n  listen: 127.0.0.1:" + METRICS_PORT + "\n", StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return written;
    }

    private static final int METRICS_PORT = 9587;

    private String metrics() {
        return net.gwA.exec("curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + METRICS_PORT + "/metrics")
                .orThrow().output();
    }

    private Cmd.Result cli(String command, String... args) {
        var argv = new ArrayList<>(List.of(OcbridgeDaemon.launcher().toString(), command, "--socket",
                configA.resolveSibling("control.sock").toString()));
        argv.addAll(List.of(args));
        return net.gwA.exec(Duration.ofSeconds(60), argv.toArray(String[]::new));
    }

    private OverlayStatus overlayA() {
        SiteStatus site = StatusJson.read(cli("status", "--json").orThrow().output().strip());
        return site.overlays().getFirst();
    }

    private List<String> peerNames() {
        return overlayA().peers().stream().map(OverlayStatus.PeerStatus::name).toList();
    }

    private boolean routed(String prefix) {
        return net.gwA.ip("route", "show", prefix).output().contains("dev " + net.deviceName("a"));
    }

    @Test
    void reloadAddsUpdatesAndRemovesPeersWithoutDisturbingAStreamAcrossAnUntouchedOne() throws Exception {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");
        OverlayStatus before = overlayA();
        long completedBefore = before.handshakes().get(HandshakeCounters.Event.COMPLETED);
        long latestBefore = before.peers().getFirst().latestHandshakeEpochSeconds();
        assertTrue(completedBefore >= 1, before.toString());
        assertTrue(routed("172.16.30.0/24") && routed("172.16.40.0/24"), net.gwA.ip("route").output());

        var server = net.start(net.hostB, "iperf3-server", List.of("iperf3", "-s", "-1", "-p", "5201", "--forceflush"));
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> server.logText().contains("listening")), server.logText());
        var client = net.start(net.hostA, "iperf3-client",
                List.of("iperf3", "-c", Topology.HOST_B, "-p", "5201", "-t", "10", "-J"));
        Wait.sleep(Duration.ofSeconds(2));

        // 1. add site-e, move site-d's allowed-ips, remove site-c; site-b untouched.
        writeA(List.of(b, dMoved, e));
        Cmd.Result reload = cli("reload");
        System.out.println("[ocbridge] reload:\n" + reload.output());
        assertEquals(0, reload.exitCode(), reload.output());
        assertTrue(reload.output().contains("peer-removed overlay=corp peer=site-c")
                && reload.output().contains("peer-updated overlay=corp peer=site-d fields=allowed-ips")
                && reload.output().contains("peer-added overlay=corp peer=site-e"), reload.output());
        assertFalse(reload.output().contains("site-b"), reload.output());
        assertEquals(List.of("site-b", "site-d", "site-e"), peerNames());
        assertTrue(routed("172.16.41.0/24") && routed("172.16.50.0/24"), net.gwA.ip("route").output());
        assertFalse(routed("172.16.30.0/24") || routed("172.16.40.0/24"), net.gwA.ip("route").output());
        String series = metrics();
        assertTrue(series.contains("peer=\"site-e\""), "an added peer gets metrics series");
        assertFalse(series.contains("peer=\"site-c\""), "a removed peer loses its series");

        // 2. an invalid config is refused with FILE:LINE:COL errors; nothing changes.
        Files.writeString(configA, Files.readString(configA).replace("172.16.50.0/24", "172.16.50.0/33"));
        Cmd.Result invalid = cli("reload");
        assertEquals(2, invalid.exitCode(), invalid.output());
        assertTrue(Pattern.compile("site\\.yaml:\\d+:\\d+: ").matcher(invalid.output()).find(), invalid.output());
        assertEquals(List.of("site-b", "site-d", "site-e"), peerNames());

        // 3. SIGHUP, as systemctl reload sends it: site-e goes.
        writeA(List.of(b, dMoved));
        assertEquals(0, Cmd.run("kill", "-HUP", Long.toString(daemonA.pid())).exitCode());
        assertTrue(Wait.until(Duration.ofSeconds(10), () -> peerNames().equals(List.of("site-b", "site-d"))),
                peerNames().toString());
        assertTrue(Wait.until(Duration.ofSeconds(5), () -> !routed("172.16.50.0/24")));

        var clientExit = client.awaitExit(Duration.ofSeconds(30));
        assertTrue(clientExit.isPresent() && clientExit.getAsInt() == 0, client.logText());
        String report = client.logText();
        Matcher sent = SENT.matcher(report);
        Matcher received = RECEIVED.matcher(report);
        assertTrue(sent.find() && received.find(), report);
        long bytes = Long.parseLong(received.group(1));
        long sentBytes = Long.parseLong(sent.group(1));
        // iperf3's sender total includes what was still in flight when the server stopped counting: not byte-exact,
        // but a stream that stalled or reset during the reloads would fail the exit code or fall far short.
        assertTrue(bytes > 0 && bytes >= sentBytes * 0.95, "sent " + sentBytes + ", received " + bytes);
        OverlayStatus after = overlayA();
        assertEquals(completedBefore, after.handshakes().get(HandshakeCounters.Event.COMPLETED),
                "no new handshake with the untouched peer");
        assertEquals(latestBefore, after.peers().getFirst().latestHandshakeEpochSeconds());
        assertTrue(daemonA.isAlive());
        assertEquals(2, daemonA.logLinesMatching("peer-removed").size(), daemonA.logText());  // site-c, then site-e
        System.out.printf("[ocbridge] reload under load: %d bytes in 10 s across site-b, %d handshakes before and after%n",
                bytes, completedBefore);
    }
}

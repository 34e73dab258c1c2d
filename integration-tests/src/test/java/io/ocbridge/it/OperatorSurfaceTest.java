package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.OverlayStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
 * The operator surface of a running daemon: {@code ocbridge status} over the control socket (JSON and table), the
 * socket's mode, the Prometheus endpoint (on the gateway namespace's own loopback), and that no secret leaks out.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class OperatorSurfaceTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);
    static final int METRICS_PORT = 9586;
    static final Pattern RX_BYTES = Pattern.compile("(?m)^ocbridge_peer_rx_bytes_total\\{[^}]*peer=\"site-b\"[^}]*} (\\S+)$");

    private Keys.Pair keysA;
    private Keys.Pair keysB;
    private String psk;
    private Path configA;
    private Background daemonA;

    @BeforeEach
    void up(TestInfo test) throws IOException {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(),
                "the control socket and metrics are ocbridge's own; no stand-in has them");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        keysA = Keys.generate();
        keysB = Keys.generate();
        psk = Keys.presharedKey();
        Path pskFile = Keys.writeSecret(net.workDir().resolve("shared.psk"), psk);
        var a = Site.a(net, keysA);
        var b = Site.b(net, keysB);
        OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()).withPresharedKeyFile(pskFile));
        // Site A with metrics on: written by the fixture, one key added, started by hand and ready once status answers.
        configA = SiteConfig.write(net.workDir().resolve(a.name()), a, net.deviceName("a"),
                b.asPeer().withEndpoint(b.endpoint()).withPresharedKeyFile(pskFile));
        Files.writeString(configA, "metrics:\n  listen: 127.0.0.1:" + METRICS_PORT + "\n", StandardOpenOption.APPEND);
        daemonA = net.start(net.gwA, "ocbridge-site-a",
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));
        boolean ready = Wait.until(OcbridgeDaemon.READY_TIMEOUT, () -> !daemonA.isAlive() || status("--json").ok());
        assertTrue(daemonA.isAlive() && ready, "site A's daemon did not answer status within "
                + OcbridgeDaemon.READY_TIMEOUT + ":\n" + String.join("\n", daemonA.tail(40)));
    }

    private Path socket() {
        return configA.resolveSibling("control.sock");
    }

    /** {@code ocbridge status --socket ... ARGS} inside gateway A's namespace. */
    private Cmd.Result status(String... args) {
        var argv = new java.util.ArrayList<>(List.of(OcbridgeDaemon.launcher().toString(), "status", "--socket",
                socket().toString()));
        argv.addAll(List.of(args));
        return net.gwA.exec(Duration.ofSeconds(20), argv.toArray(String[]::new));
    }

    private String scrape() {
        return net.gwA.exec("curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + METRICS_PORT + "/metrics")
                .orThrow().output();
    }

    private static double rxBytes(String metrics) {
        Matcher m = RX_BYTES.matcher(metrics);
        assertTrue(m.find(), "no rx counter for site-b in:\n" + metrics.lines().filter(l -> l.startsWith("ocbridge"))
                .toList());
        return Double.parseDouble(m.group(1));
    }

    private void assertNoSecrets(String what, String text) {
        for (String secret : List.of(keysA.privateKey(), keysB.privateKey(), psk)) {
            assertFalse(text.contains(secret), what + " shows a private or preshared key");
        }
    }

    @Test
    void statusShowsTheHandshakeAndTraffic() throws IOException {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        assertEquals(5, Ping.run(net.hostA, Topology.HOST_B, 5).received());

        Cmd.Result json = status("--json").orThrow();
        assertNoSecrets("status --json", json.output());
        SiteStatus site = StatusJson.read(json.output().strip());
        assertEquals("site-a", site.site());
        OverlayStatus overlay = site.overlays().getFirst();
        assertEquals(SiteConfig.OVERLAY, overlay.name());
        assertEquals(Topology.LISTEN_PORT, overlay.listenPort());
        assertEquals(keysA.publicKey(), overlay.publicKey());
        // This kernel takes every offload, and the underlay (MTU 1500) carries the GSO sends.
        assertEquals(new OverlayStatus.Offloads(true, true, true), overlay.offloads());
        OverlayStatus.PeerStatus peer = overlay.peers().getFirst();
        assertEquals("site-b", peer.name());
        assertEquals(keysB.publicKey(), peer.publicKey());
        assertEquals(Topology.WAN_B + ":" + Topology.LISTEN_PORT, peer.endpoint());
        assertEquals(OverlayStatus.Session.ESTABLISHED, peer.session());
        long age = site.epochSeconds() - peer.latestHandshakeEpochSeconds();
        assertTrue(peer.latestHandshakeEpochSeconds() > 0 && age >= 0 && age < 60, "handshake " + age + " s ago");
        assertTrue(peer.rxBytes() > 0 && peer.txBytes() > 0, peer.toString());
        assertTrue(peer.rxPackets() >= 5 && peer.txPackets() >= 5, "5 pings each way: " + peer);
        assertTrue(peer.allowedIps().contains(Topology.LAN_B), peer.allowedIps().toString());

        Cmd.Result table = status().orThrow();
        assertNoSecrets("status", table.output());
        assertTrue(table.output().contains("site-b") && table.output().contains("established")
                && table.output().contains("received") && table.output().contains(Topology.LAN_B), table.output());
        System.out.println("[ocbridge] status:\n" + table.output());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
        Cmd.Result check = Cmd.run(OcbridgeDaemon.launcher().toString(), "check", "-c", configA.toString());
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("ok: site site-a, 1 overlay, 1 peer"), check.output());
    }

    @Test
    void metricsCountTrafficOnTheNamespaceLoopback() {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        String before = scrape();
        assertNoSecrets("metrics", before);
        assertTrue(before.contains("ocbridge_handshakes_total{event=\"completed\",overlay=\"corp\",site=\"site-a\"}"),
                "handshake counter");
        assertTrue(before.contains("jvm_memory_used_bytes"), "JVM metrics");
        assertTrue(before.contains("ocbridge_offload_enabled{offload=\"udp_gso\",overlay=\"corp\",site=\"site-a\"} 1.0"),
                "offload gauge");
        double rxBefore = rxBytes(before);
        assertEquals(5, Ping.run(net.hostA, Topology.HOST_B, 5).received());
        double rxAfter = rxBytes(scrape());
        assertTrue(rxAfter > rxBefore, "rx bytes " + rxBefore + " -> " + rxAfter);
    }

    @Test
    void sigtermRemovesTheSocketAndAStaleOneIsReplaced() {
        assertTrue(Files.exists(socket()));
        assertTrue(daemonA.terminate(Background.STOP_GRACE).isPresent(), "daemon A did not stop on SIGTERM");
        assertFalse(Files.exists(socket()), "control socket left behind after SIGTERM");
        Cmd.Result gone = status();
        assertEquals(1, gone.exitCode(), gone.output());
        assertTrue(gone.output().contains("is the daemon running?"), gone.output());

        daemonA = net.start(net.gwA, "ocbridge-site-a-run2",
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));
        assertTrue(Wait.until(OcbridgeDaemon.READY_TIMEOUT, () -> !daemonA.isAlive() || status("--json").ok())
                && daemonA.isAlive(), "restart:\n" + String.join("\n", daemonA.tail(40)));
        daemonA.kill(); // SIGKILL: the socket file stays behind
        assertTrue(Files.exists(socket()), "socket file of a killed daemon");
        daemonA = net.start(net.gwA, "ocbridge-site-a-run3",
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));
        assertTrue(Wait.until(OcbridgeDaemon.READY_TIMEOUT, () -> !daemonA.isAlive() || status("--json").ok())
                && daemonA.isAlive(), "start over a stale socket:\n" + String.join("\n", daemonA.tail(40)));
    }
}

package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.crypto.pki.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A site certificate that expires while the daemon runs: site A admits site B by a certificate good for about 25 s.
 * The tunnel carries pings until then; past the certificate's end A has removed B (status says why, the log has one
 * line), and pings stop. A reload with a renewed certificate admits B again, and pings come back.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class CertificateExpiryTest extends LabTest<Topology> {
    static final Duration VALIDITY_LEFT = Duration.ofSeconds(25);
    static final Duration TUNNEL_UP = Duration.ofSeconds(15);

    @Test
    void anExpiringCertificateCutsThePeerOffAndARenewedOneBringsItBack() throws Exception {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "site PKI is ocbridge's own");
        net = Topology.create(getClass().getSimpleName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));

        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("CertificateExpiryTest CA", now.minus(Duration.ofDays(1)),
                Duration.ofDays(3650));
        Path caFile = net.workDir().resolve("ca.crt");
        Files.writeString(caFile, ca.certificatePem());
        Path shortLived = issue(ca, b.asPeer(), now.minus(Duration.ofMinutes(5)),
                Duration.ofMinutes(5).plus(VALIDITY_LEFT), "site-b-short.crt");
        Instant notAfter = now.plus(VALIDITY_LEFT);
        Path configA = SiteConfig.write(net.workDir().resolve(a.name()), a, net.deviceName("a"),
                List.of(b.asPeer().withEndpoint(b.endpoint())), List.of(),
                new SiteConfig.Pki(caFile, null, Map.of(b.name(), shortLived)));
        var daemonA = net.start(net.gwA, "ocbridge-" + a.name(),
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));

        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "hostA -> hostB: no reply");
        OverlayStatus before = overlay(configA);
        assertEquals(List.of(), before.refusedPeers());
        assertEquals("expiring", before.pki().certificates().getFirst().state(), "25 s left is within the warning");
        assertTrue(Instant.now().isBefore(notAfter), "the tunnel took too long to come up for this test");

        // Past the certificate's end (the check runs each second), A has refused B.
        assertTrue(Wait.until(VALIDITY_LEFT.plusSeconds(10), () -> !overlay(configA).refusedPeers().isEmpty()),
                "site-b was not refused");
        OverlayStatus after = overlay(configA);
        OverlayStatus.RefusedPeer refused = after.refusedPeers().getFirst();
        assertEquals(b.name(), refused.name());
        assertEquals("certificate-expired", refused.reason());
        assertTrue(refused.sinceEpochSeconds() >= notAfter.getEpochSecond(), "refused before its end: " + refused);
        assertEquals(List.of(), after.peers(), "site-b is no longer a running peer");
        assertEquals("expired", after.pki().certificates().getFirst().state());
        assertEquals(0, Ping.run(net.hostA, Topology.HOST_B, 3).received(), "traffic still passes after expiry");
        assertEquals(1, daemonA.logText().lines().filter(l -> l.contains("peer-refused")
                && l.contains("peer=site-b reason=certificate-expired") && l.contains("action=removed")).count(),
                daemonA.logText());

        // Renewed: the reload verifies it and adds site-b again; the session starts with a new handshake.
        Files.copy(issue(ca, b.asPeer(), Instant.now().minus(Duration.ofMinutes(1)), Duration.ofDays(90), "renewed.crt"),
                configA.resolveSibling(b.name() + ".crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cmd.Result reload = cli(configA, "reload");
        assertEquals(0, reload.exitCode(), reload.output());
        assertTrue(reload.output().contains("peer-added overlay=" + SiteConfig.OVERLAY + " peer=site-b"),
                reload.output());
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "no reply after the renewal");
        OverlayStatus renewed = overlay(configA);
        assertEquals(List.of(), renewed.refusedPeers());
        assertEquals("valid", renewed.pki().certificates().getFirst().state());
    }

    private Path issue(CertificateAuthority ca, Site.Peer peer, Instant notBefore, Duration validity, String file)
            throws Exception {
        Path out = net.workDir().resolve(file);
        Files.writeString(out, ca.issue(peer.name(), Base64.getDecoder().decode(peer.publicKey()), peer.allowedIps(),
                notBefore, validity).toPem());
        return out;
    }

    private OverlayStatus overlay(Path config) {
        return StatusJson.read(cli(config, "status", "--json").orThrow().output().strip()).overlays().getFirst();
    }

    private Cmd.Result cli(Path config, String command, String... args) {
        var argv = new ArrayList<>(List.of(OcbridgeDaemon.launcher().toString(), command, "--socket",
                config.resolveSibling("control.sock").toString()));
        argv.addAll(List.of(args));
        return net.gwA.exec(Duration.ofSeconds(60), argv.toArray(String[]::new));
    }
}

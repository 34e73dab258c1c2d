package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Site PKI end to end: a CA made with {@code ocbridge ca init} certifies both sites' WireGuard keys; each gateway names
 * the other by {@code certificate:} and the tunnel carries pings. Revoking site B's certificate makes {@code check}
 * fail with the reason at the {@code certificate:} line, and a live reload is refused while the tunnel keeps running.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class PkiTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(20);

    @Test
    void certifiedSitesConnectAndARevokedCertificateIsRefused() throws Exception {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        Path ca = net.workDir().resolve("ca");
        ocbridge("ca", "init", "--out-dir", ca.toString(), "--name", "PkiTest CA");
        ocbridge("cert", "revoke", "--ca-dir", ca.toString());  // an empty, signed revocation list
        Path certA = issue(ca, a);
        Path certB = issue(ca, b);

        Path configA = SiteConfig.write(net.workDir().resolve(a.name()), a, net.deviceName("a"),
                List.of(b.asPeer().withEndpoint(b.endpoint())), List.of(),
                new SiteConfig.Pki(ca.resolve("ca.crt"), ca.resolve("revoked.crl"), Map.of(b.name(), certB)));
        Path configB = SiteConfig.write(net.workDir().resolve(b.name()), b, net.deviceName("b"),
                List.of(a.asPeer().withEndpoint(a.endpoint())), List.of(),
                new SiteConfig.Pki(ca.resolve("ca.crt"), ca.resolve("revoked.crl"), Map.of(a.name(), certA)));
        assertTrue(Files.readString(configA).contains("certificate: site-b.crt"));
        assertTrue(!Files.readString(configA).contains("public-key"), "the peer is given by certificate only");
        ocbridge("check", "-c", configA.toString());

        var daemonA = net.start(a.gateway(), "ocbridge-" + a.name(),
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configA.toString()));
        net.start(b.gateway(), "ocbridge-" + b.name(),
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", configB.toString()));
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "hostA -> hostB: no reply");
        assertEquals(5, Ping.run(net.hostA, Topology.HOST_B, 5).received());
        assertEquals(5, Ping.run(net.hostB, Topology.HOST_A, 5).received());

        // Revoke site B and hand the new list to site A.
        ocbridge("cert", "revoke", "--ca-dir", ca.toString(), certB.toString());
        Files.copy(ca.resolve("revoked.crl"), configA.resolveSibling("revoked.crl"), StandardCopyOption.REPLACE_EXISTING);

        Cmd.Result check = Cmd.run(OcbridgeDaemon.launcher().toString(), "check", "-c", configA.toString());
        System.out.println("[ocbridge] check after revoking site-b:\n" + check.output());
        assertEquals(2, check.exitCode(), check.output());
        assertTrue(check.output().contains(configA + ":") && check.output().contains(
                ": overlays[0].peers[0].certificate: revoked on "), check.output());

        Cmd.Result reload = net.gwA.exec(Duration.ofSeconds(60), OcbridgeDaemon.launcher().toString(), "reload",
                "--socket", configA.resolveSibling("control.sock").toString());
        System.out.println("[ocbridge] reload after revoking site-b:\n" + reload.output());
        assertEquals(2, reload.exitCode(), reload.output());
        assertTrue(reload.output().contains("certificate: revoked on "), reload.output());
        assertTrue(daemonA.isAlive(), "daemon A died on a refused reload");
        assertEquals(3, Ping.run(net.hostA, Topology.HOST_B, 3).received(), "a refused reload keeps the running state");
    }

    private Path issue(Path ca, Site site) {
        Path out = net.workDir().resolve(site.name() + ".crt");
        var peer = site.asPeer();
        ocbridge("cert", "issue", "--ca-dir", ca.toString(), "--site", site.name(), "--public-key", peer.publicKey(),
                "--allowed-ips", String.join(",", peer.allowedIps()), "--days", "1", "--out", out.toString());
        return out;
    }

    private static void ocbridge(String... args) {
        var argv = new java.util.ArrayList<String>();
        argv.add(OcbridgeDaemon.launcher().toString());
        argv.addAll(List.of(args));
        Cmd.Result result = Cmd.run(argv.toArray(String[]::new));
        assertEquals(0, result.exitCode(), String.join(" ", argv) + "\n" + result.output());
    }
}

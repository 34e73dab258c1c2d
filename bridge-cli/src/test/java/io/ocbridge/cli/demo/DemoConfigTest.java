package io.ocbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.cli.Main;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.crypto.keys.PrivateKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's pure parts: the site configs it writes (checked by the daemon's own loader), and its preflight checks. */
class DemoConfigTest {
    @TempDir
    Path dir;

    private static SiteYaml.Peer peer(SiteYaml.Site site, boolean endpoint) {
        return new SiteYaml.Peer(site, PrivateKey.generate().publicKey().toBase64(), endpoint);
    }

    @Test
    void datacenterConfigLoadsWithBothCloudsAndTheSegment() throws Exception {
        String yaml = SiteYaml.render(DemoTopology.DC, "control.sock",
                List.of(peer(DemoTopology.CLOUD1, true), peer(DemoTopology.CLOUD2, true)));
        KeyFiles.createSecret(dir.resolve(SiteYaml.PRIVATE_KEY_FILE), PrivateKey.generate().toBase64());
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, yaml);

        var site = ConfigLoader.load(file);
        assertEquals("dc", site.site());
        assertEquals(dir.resolve("control.sock").toAbsolutePath(), site.controlSocket().toAbsolutePath());
        var overlay = site.overlays().getFirst();
        assertEquals(SiteYaml.OVERLAY, overlay.name());
        assertEquals(2, overlay.peers().size());
        assertTrue(yaml.contains("addresses: [10.77.0.1/24]"), yaml);
        assertTrue(yaml.contains("endpoint: \"192.0.2.2:51820\""), yaml);
        assertTrue(yaml.contains("allowed-ips: [10.77.0.2/32, 172.21.1.0/24]"), yaml);
        assertTrue(yaml.contains("allowed-ips: [10.77.0.3/32]"), yaml);
        assertTrue(yaml.contains("vni: 100\n        device: ocb-lan\n        bridge: br-lan\n"), yaml);
        assertFalse(yaml.contains("private-key-file: /"), "key file relative to the yaml");
    }

    @Test
    void responderOnlyPeerHasNoEndpoint() {
        String yaml = SiteYaml.render(DemoTopology.CLOUD2, "control.sock",
                List.of(peer(DemoTopology.DC, false), peer(DemoTopology.CLOUD1, false)));
        assertFalse(yaml.contains("endpoint:"), yaml);
        assertTrue(yaml.contains("addresses: [10.77.0.3/24]"), yaml);
        assertTrue(yaml.contains("allowed-ips: [10.77.0.1/32]"), yaml);
    }

    @Test
    void everySiteHasADistinctOverlayAndUnderlayAddress() {
        var sites = DemoTopology.GATEWAYS.stream().map(DemoTopology.Gateway::site).toList();
        assertEquals(3, Set.copyOf(sites.stream().map(SiteYaml.Site::overlayAddress).toList()).size());
        assertEquals(3, Set.copyOf(sites.stream().map(SiteYaml.Site::wanAddress).toList()).size());
    }

    @Test
    void nonRootIsRefusedWithTheWayToRunIt() {
        assertEquals(Optional.empty(), Preflight.rootProblem(0));
        var refusal = Preflight.rootProblem(1000);
        assertTrue(refusal.isPresent());
        assertTrue(refusal.get().contains("needs root") && refusal.get().contains("sudo"), refusal.get());
    }

    @Test
    void missingToolsNameTheirDebianPackages() {
        assertEquals(List.of(), Preflight.missingTools(tool -> true));
        var missing = Preflight.missingTools(tool -> !tool.equals("dnsmasq") && !tool.equals("ping"));
        assertEquals(2, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("`dnsmasq`") && missing.get(0).endsWith("apt-get install dnsmasq-base"));
        assertTrue(missing.get(1).contains("`ping`") && missing.get(1).endsWith("apt-get install iputils-ping"));
        assertEquals(4, Preflight.missingTools(tool -> false).size());
    }

    @Test
    void demoIsASubcommandWithItsOptions() {
        var out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("demo", "--help"));
        assertTrue(out.toString().contains("--keep") && out.toString().contains("--no-transfer"), out.toString());
    }

    @Test
    void transferSummaryIsInMegabitsPerSecond() {
        assertEquals("sent 125.0 MB in 1.00 s: 1000 Mbit/s", TcpProbe.summary("sent", 125_000_000, 1_000_000_000L));
    }
}

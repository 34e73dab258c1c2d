package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ocbridge.core.route.ForcedTunnel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code default-route}, {@code fwmark}, {@code table}, {@code rule-priority}, and endpoints routed into the tunnel. */
class ForcedTunnelConfigTest {
    /** A cloud gateway whose DC peer takes the default route; line numbers below are this text's. */
    private static final String CLOUD = """
            site: cloud
            private-key-file: site.key
            overlays:
              - name: corp
                device: ocb-corp
                listen-port: 51820
                addresses: [10.77.0.2/24]
                default-route: true
                peers:
                  - name: dc
                    public-key: KEY_A
                    endpoint: 198.51.100.1:51820
                    allowed-ips: [10.77.0.1/32, 172.16.0.0/16, 0.0.0.0/0]
            """;

    @TempDir
    Path folder;
    Path config;

    @BeforeEach
    void key() throws Exception {
        Path key = folder.resolve("site.key");
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        config = folder.resolve("site.yaml");
    }

    /** The DC's endpoint lies inside 0.0.0.0/0, which is fine: that route is in the tunnel's table, escaped by the mark. */
    @Test
    void defaultsAreTheListenPortForTableAndMarkAtAFixedPriority() throws Exception {
        OverlayConfig corp = load(CLOUD).overlays().get(0);
        assertEquals(new ForcedTunnel(51820, 51820, ForcedTunnel.DEFAULT_RULE_PRIORITY, true, false), corp.forcedTunnel());
        assertEquals(51820, corp.fwmark());
    }

    @Test
    void theFamiliesAreThoseWithASlashZero() throws Exception {
        OverlayConfig corp = load(CLOUD.replace("0.0.0.0/0]", "0.0.0.0/0, \"::/0\"]")).overlays().get(0);
        assertEquals(new ForcedTunnel(51820, 51820, 32_000, true, true), corp.forcedTunnel());
        corp = load(CLOUD.replace("0.0.0.0/0]", "\"::/0\"]")).overlays().get(0);
        assertEquals(new ForcedTunnel(51820, 51820, 32_000, false, true), corp.forcedTunnel());
    }

    @Test
    void tableMarkAndPriorityCanBeGiven() throws Exception {
        OverlayConfig corp = load(CLOUD.replace("    default-route: true\n",
                "    default-route: true\n    table: 1000\n    fwmark: 4096\n    rule-priority: 100\n")).overlays().get(0);
        assertEquals(new ForcedTunnel(1000, 4096, 100, true, false), corp.forcedTunnel());
        assertEquals(4096, corp.fwmark());
        corp = load(CLOUD.replace("    default-route: true\n", "    default-route: true\n    table: 1000\n"))
                .overlays().get(0);
        assertEquals(1000, corp.fwmark(), "the mark defaults to the table");
    }

    @Test
    void withoutItASlashZeroInstallsNothingAndAMarkIsJustAMark() throws Exception {
        OverlayConfig corp = load(CLOUD.replace("    default-route: true\n", "")).overlays().get(0);
        assertNull(corp.forcedTunnel());
        assertEquals(0, corp.fwmark());
        corp = load(CLOUD.replace("    default-route: true\n", "    fwmark: 7\n")).overlays().get(0);
        assertNull(corp.forcedTunnel());
        assertEquals(7, corp.fwmark());
    }

    @Test
    void theSiteOthersCarryTheForcingOverlaysMarkUnlessTheyNameTheirOwn() throws Exception {
        String lab = """
                  - name: lab
                    device: ocb-lab
                    listen-port: 51821
                    addresses: [10.88.0.1/24]
                """;
        SiteConfig site = load(CLOUD + lab + "  - name: test\n    device: ocb-test\n    addresses: [10.99.0.1/24]\n"
                + "    fwmark: 9\n");
        assertEquals(List.of(51820L, 51820L, 9L), site.overlays().stream().map(OverlayConfig::fwmark).toList());
        assertNull(site.overlays().get(1).forcedTunnel());
    }

    @Test
    void badValuesNameTheLineAndColumn() throws Exception {
        assertEquals(List.of("8:20: overlays[0].default-route: must be true or false, got \"yes please\""),
                errors(CLOUD.replace("default-route: true", "default-route: yes please")));
        assertEquals(List.of("9:12: overlays[0].table: 253, 254 and 255 are the kernel's default, main and local "
                        + "tables, got 254"),
                errors(CLOUD.replace("    default-route: true\n", "    default-route: true\n    table: 254\n")));
        assertEquals(List.of("9:12: overlays[0].table: must be 1..4294967295, got 0"),
                errors(CLOUD.replace("    default-route: true\n", "    default-route: true\n    table: 0\n")));
        assertEquals(List.of("9:13: overlays[0].fwmark: must be 0..4294967295 (0 = none), got 4294967296"),
                errors(CLOUD.replace("    default-route: true\n", "    default-route: true\n    fwmark: 4294967296\n")));
        assertEquals(List.of("9:20: overlays[0].rule-priority: must be 1..32764, got 32765"),
                errors(CLOUD.replace("    default-route: true\n", "    default-route: true\n    rule-priority: 32765\n")));
    }

    @Test
    void aMarkOfZeroCannotLetTheTunnelsOwnDatagramsOut() throws Exception {
        assertEquals(List.of("9:13: overlays[0].fwmark: must not be 0 with default-route: true; without a mark the"
                        + " tunnel's own datagrams would be routed into the tunnel"),
                errors(CLOUD.replace("    default-route: true\n", "    default-route: true\n    fwmark: 0\n")));
    }

    @Test
    void aRandomPortCannotNameTheTable() throws Exception {
        assertEquals(List.of("8:20: overlays[0].default-route: give table: (by default the table is the listen-port,"
                        + " 0, a random port)"),
                errors(CLOUD.replace("    listen-port: 51820\n", "    listen-port: 0\n")));
    }

    @Test
    void defaultRouteNeedsAPeerToTakeIt() throws Exception {
        assertEquals(List.of("8:20: overlays[0].default-route: no peer of this overlay has 0.0.0.0/0 or ::/0 in its"
                        + " allowed-ips, so no peer could take the traffic"),
                errors(CLOUD.replace(", 0.0.0.0/0]", "]")));
    }

    @Test
    void tableAndPriorityMeanNothingWithoutDefaultRoute() throws Exception {
        assertEquals(List.of("8:12: overlays[0].table: only means something with default-route: true",
                        "9:20: overlays[0].rule-priority: only means something with default-route: true"),
                errors(CLOUD.replace("    default-route: true\n", "    table: 1000\n    rule-priority: 10\n")));
    }

    /** As in WireGuard, another peer's more specific prefix wins over the /0; two /0s of one family still clash. */
    @Test
    void aSlashZeroLeavesMoreSpecificPrefixesToOtherPeers() throws Exception {
        String branch = "      - name: branch\n        public-key: KEY_B\n        allowed-ips: [10.77.0.3/32, 172.17.0.0/16]\n";
        assertEquals(2, load(CLOUD + branch).overlays().get(0).peers().size());
        assertEquals(List.of("16:23: overlays[0].peers[1].allowed-ips[0]: 0.0.0.0/0 overlaps 0.0.0.0/0"
                        + " (overlays[0].peers[0].allowed-ips[2], line 13)"),
                errors(CLOUD + branch.replace("10.77.0.3/32, 172.17.0.0/16", "0.0.0.0/0")));
    }

    @Test
    void oneOverlayOfASiteTakesTheDefaultRoute() throws Exception {
        String second = """
                  - name: lab
                    device: ocb-lab
                    listen-port: 51821
                    addresses: [10.88.0.1/24]
                    default-route: true
                    peers:
                      - name: lab-gw
                        public-key: KEY_B
                        allowed-ips: ["::/0"]
                """;
        assertEquals(List.of("18:20: overlays[1].default-route: overlay corp (line 4) already has default-route: true;"
                + " one overlay of a site can take the default route"), errors(CLOUD + second));
    }

    @Test
    void anEndpointInsideARoutedPrefixWouldLoop() throws Exception {
        String second = "      - name: branch\n        public-key: KEY_B\n        endpoint: 172.16.9.9:51820\n"
                + "        allowed-ips: [10.77.0.3/32]\n";
        assertEquals(List.of("16:19: overlays[0].peers[1].endpoint: endpoint 172.16.9.9 is inside 172.16.0.0/16 of peer"
                        + " dc's allowed-ips (overlays[0].peers[0].allowed-ips[1], line 13), which is routed through this"
                        + " overlay's device: the tunnel's own datagrams would be sent into the tunnel"),
                errors(CLOUD + second));
        assertEquals(List.of("12:19: overlays[0].peers[0].endpoint: endpoint 10.77.0.9 is inside this overlay's own"
                        + " subnet 10.77.0.0/24 (overlays[0].addresses), which is routed through this overlay's device:"
                        + " the tunnel's own datagrams would be sent into the tunnel"),
                errors(CLOUD.replace("198.51.100.1:51820", "10.77.0.9:51820")));
    }

    private SiteConfig load(String yaml) throws Exception {
        Files.writeString(config, withKeys(yaml));
        return ConfigLoader.load(config);
    }

    private List<String> errors(String yaml) throws Exception {
        Files.writeString(config, withKeys(yaml));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        return e.errors().stream().map(error -> error.toString().substring(config.toString().length() + 1)).toList();
    }

    private static String withKeys(String yaml) {
        return yaml.replace("KEY_A", key(1)).replace("KEY_B", key(2));
    }

    private static String key(int fill) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) fill);
        return Base64.getEncoder().encodeToString(bytes);
    }
}

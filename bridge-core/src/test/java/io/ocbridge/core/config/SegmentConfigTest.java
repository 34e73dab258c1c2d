package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L2 segments and VTEPs in the site config. */
class SegmentConfigTest {
    @TempDir
    Path folder;
    Path config;

    /** Line numbers asserted below refer to this text. */
    private static final String BASE = """
            site: dc
            private-key-file: dc.key
            overlays:
              - name: corp
                device: ocb-corp
                addresses: [10.77.0.1/24]
                peers:
                  - name: cloud-a
                    public-key: KEY_A
                    allowed-ips: [10.77.0.2/32, 172.20.0.0/16]
                  - name: cloud-b
                    public-key: KEY_B
                    allowed-ips: [10.77.0.3/32]
                    vtep: 10.77.0.3
                segments:
                  - name: lan
                    vni: 100
                    device: ocb-lan
                    bridge: br-lan
            """;

    @BeforeEach
    void keyFile() throws IOException {
        Path key = folder.resolve("dc.key");
        Files.writeString(key, key(9) + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        config = folder.resolve("dc.yaml");
    }

    @Test
    void segmentWithDefaults() throws Exception {
        write(BASE);
        OverlayConfig overlay = ConfigLoader.load(config).overlays().get(0);
        assertEquals(List.of(new SegmentConfig("lan", 100, "ocb-lan", "br-lan", List.of(), SegmentConfig.MSS_AUTO,
                SegmentConfig.DEFAULT_MAC_AGING_SECONDS, SegmentConfig.DEFAULT_MAC_TABLE_SIZE)), overlay.segments());
        assertEquals(Cidr.parse("10.77.0.1/24"), overlay.vtep());
        assertEquals(Cidr.parse("10.77.0.2/32"), overlay.peers().get(0).effectiveVtep());
        assertEquals(Cidr.parse("10.77.0.3/32"), overlay.peers().get(1).effectiveVtep());
    }

    @Test
    void explicitOptions() throws Exception {
        write(BASE + """
                        peers: [cloud-b]
                        mss-clamp: 1300
                        mac-aging: 60
                        mac-table-size: 100
                """.indent(0));
        SegmentConfig segment = ConfigLoader.load(config).overlays().get(0).segments().get(0);
        assertEquals(List.of("cloud-b"), segment.peers());
        assertEquals(1300, segment.mssClamp());
        assertEquals(60, segment.macAgingSeconds());
        assertEquals(100, segment.macTableSize());
    }

    @Test
    void safeguardDefaults() throws Exception {
        write(BASE);
        SegmentConfig segment = ConfigLoader.load(config).overlays().get(0).segments().get(0);
        assertEquals(false, segment.relay());
        assertEquals(1000, segment.floodLimit());
        assertEquals(true, segment.arpSuppression());
        assertEquals(SegmentConfig.DhcpPolicy.ALLOW, segment.dhcp());
        assertEquals(5, segment.macFlapLimit());
        assertEquals(30, segment.macFlapHoldSeconds());
    }

    @Test
    void explicitSafeguards() throws Exception {
        write(BASE + """
                        relay: true
                        flood-limit: 0
                        arp-suppression: false
                        dhcp: block
                        mac-flap-limit: 10
                        mac-flap-hold: 120
                """.indent(0));
        SegmentConfig segment = ConfigLoader.load(config).overlays().get(0).segments().get(0);
        assertEquals(new SegmentConfig("lan", 100, "ocb-lan", "br-lan", List.of(), SegmentConfig.MSS_AUTO,
                SegmentConfig.DEFAULT_MAC_AGING_SECONDS, SegmentConfig.DEFAULT_MAC_TABLE_SIZE, true, 0, false,
                SegmentConfig.DhcpPolicy.BLOCK, 10, 120), segment);
    }

    @Test
    void badSafeguards() throws Exception {
        assertErrors(BASE + """
                        relay: maybe
                        flood-limit: -1
                        arp-suppression: on
                        dhcp: deny
                        mac-flap-limit: 1001
                        mac-flap-hold: 0
                """.indent(0),
                "20:16: overlays[0].segments[0].relay: must be true or false, got \"maybe\"",
                "21:22: overlays[0].segments[0].flood-limit: must be 0..10000000 frames per second (0 = off), got -1",
                "22:26: overlays[0].segments[0].arp-suppression: must be true or false, got \"on\"",
                "23:15: overlays[0].segments[0].dhcp: must be allow or block, got \"deny\"",
                "24:25: overlays[0].segments[0].mac-flap-limit: must be 0..1000 moves in 10 seconds (0 = no damping), got 1001",
                "25:24: overlays[0].segments[0].mac-flap-hold: must be 1..3600 seconds, got 0");
    }

    @Test
    void misspelledSafeguardKeyIsSuggested() throws Exception {
        write(BASE + "        flood-limt: 10\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        assertEquals(1, e.errors().size());
        org.junit.jupiter.api.Assertions.assertTrue(e.errors().get(0).toString().contains("flood-limit"),
                e.errors().get(0).toString());
    }

    @Test
    void vniOutOfRange() throws Exception {
        assertErrors(BASE.replace("vni: 100", "vni: 16777216"),
                "17:14: overlays[0].segments[0].vni: must be 1..16777215, got 16777216");
    }

    @Test
    void missingVni() throws Exception {
        assertErrors(BASE.replace("        vni: 100\n", ""), "16:9: overlays[0].segments[0].vni: is required");
    }

    @Test
    void badMssClamp() throws Exception {
        assertErrors(BASE + "        mss-clamp: sometimes\n",
                "20:20: overlays[0].segments[0].mss-clamp: must be auto, off or an MSS of 500..9000 bytes, got \"sometimes\"");
    }

    @Test
    void unknownPeerOnSegment() throws Exception {
        assertErrors(BASE + "        peers: [cloud-z]\n",
                "16:9: overlays[0].segments[0].peers: no peer named \"cloud-z\" in this overlay");
    }

    @Test
    void duplicateVniAndDevice() throws Exception {
        assertErrors(BASE + """
                      - name: lan2
                        vni: 100
                        device: ocb-lan
                """.indent(0),
                "20:9: overlays[0].segments[1].vni: VNI 100 is already used by segment lan (line 16)",
                "20:9: overlays[0].segments[1].device: device ocb-lan is already used by segment lan (line 16)");
    }

    @Test
    void vtepMustBeInsideAllowedIps() throws Exception {
        assertErrors(BASE.replace("vtep: 10.77.0.3", "vtep: 10.77.0.9"),
                "14:15: overlays[0].peers[1].vtep: 10.77.0.9 is not inside this peer's allowed-ips, so its VXLAN packets would be dropped");
    }

    @Test
    void peerWithoutIpv4NeedsAVtep() throws Exception {
        assertErrors(BASE.replace("[10.77.0.3/32]", "[fd77::3/128]").replace("        vtep: 10.77.0.3\n", ""),
                "15:9: overlays[0].segments[0].peers: peer cloud-b has no IPv4 allowed-ips address to serve as its VXLAN endpoint; give it vtep:");
    }

    @Test
    void segmentDeviceNameIsChecked() throws Exception {
        assertErrors(BASE.replace("device: ocb-lan", "device: this-name-is-too-long"),
                "18:17: overlays[0].segments[0].device: is 21 characters; Linux allows at most 15");
    }

    private void assertErrors(String yaml, String... expected) throws IOException {
        write(yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        List<String> lines = Arrays.stream(expected).map(line -> config + ":" + line).toList();
        assertEquals(lines, e.errors().stream().map(ConfigError::toString).toList());
    }

    private void write(String yaml) throws IOException {
        Files.writeString(config, yaml.replace("KEY_A", key(1)).replace("KEY_B", key(2)));
    }

    private static String key(int fill) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) fill);
        return Base64.getEncoder().encodeToString(bytes);
    }
}

package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String KEY_A = key(1);
    private static final String KEY_B = key(2);

    @TempDir
    Path folder;
    Path config;

    @BeforeEach
    void keyFiles() throws IOException {
        Files.createDirectories(folder.resolve("keys"));
        writeKey("keys/dc-east.key", "rw-------");
        writeKey("keys/psk", "rw-------");
        config = folder.resolve("site.yaml");
    }

    /** The minimal valid config the error cases edit; its line numbers are the ones asserted. */
    private static final String BASE = """
            site: dc-east
            private-key-file: keys/dc-east.key
            overlays:
              - name: corp
                device: ocb-corp
                listen-port: 51820
                addresses: [10.77.0.1/24]
                peers:
                  - name: cloud-a
                    public-key: KEY_A
                    allowed-ips: [10.77.0.2/32]
            """;

    @Test
    void fullConfigMapsToRecords() throws Exception {
        write("""
                # dc-east joins two overlays
                site: dc-east
                private-key-file: keys/dc-east.key
                overlays:
                  - name: corp
                    device: ocb-corp
                    listen-port: 51820
                    addresses: [10.77.0.1/24, fd77::1/64]
                    mtu: 1380
                    peers:
                      - name: cloud-a
                        public-key: KEY_A
                        preshared-key-file: keys/psk
                        endpoint: 192.0.2.2:51820
                        allowed-ips: [10.77.0.2/32, 172.20.0.0/16]
                        persistent-keepalive: 25
                      - name: cloud-b
                        public-key: KEY_B
                        endpoint: "[2001:DB8::2]:51820"
                        allowed-ips:
                          - 10.77.0.3/32
                          - fd77::3/128
                  - name: lab
                    device: ocb-lab
                    addresses: [10.88.0.1/24]
                    peers:
                      - name: lab-gw
                        public-key: KEY_A
                        endpoint: gw.lab.example.com:4500
                """);
        Path keys = folder.toAbsolutePath().resolve("keys");
        SiteConfig expected = new SiteConfig(config, "dc-east", keys.resolve("dc-east.key"), List.of(
                new OverlayConfig("corp", "ocb-corp", 51820, cidrs("10.77.0.1/24", "fd77::1/64"), 1380, List.of(
                        new PeerConfig("cloud-a", KEY_A, keys.resolve("psk"), new Endpoint("192.0.2.2", 51820),
                                cidrs("10.77.0.2/32", "172.20.0.0/16"), 25),
                        new PeerConfig("cloud-b", KEY_B, null, new Endpoint("2001:db8::2", 51820),
                                cidrs("10.77.0.3/32", "fd77::3/128"), 0))),
                new OverlayConfig("lab", "ocb-lab", 0, cidrs("10.88.0.1/24"), 1420, List.of(
                        new PeerConfig("lab-gw", KEY_A, null, new Endpoint("gw.lab.example.com", 4500), List.of(), 0)))));
        assertEquals(expected, ConfigLoader.load(config));
        assertEquals("[2001:db8::2]:51820", expected.overlays().get(0).peers().get(1).endpoint().toString());
    }

    @Test
    void unknownKeySuggestsTheClosestName() throws Exception {
        assertErrors(BASE.replace("listen-port:", "lisen-port:"),
                "6:5: overlays[0].lisen-port: unknown key; did you mean listen-port?");
    }

    @Test
    void unknownKeyFarFromAnyListsTheKeys() throws Exception {
        assertErrors(BASE + "colour: blue\n",
                "12:1: colour: unknown key; expected one of site, private-key-file, overlays, control-socket, metrics, ha");
    }

    @Test
    void quotedNumberIsAString() throws Exception {
        assertErrors(BASE.replace("51820", "\"51820\""),
                "6:18: overlays[0].listen-port: expected an integer, got a string");
    }

    @Test
    void hexNumberIsRefused() throws Exception {
        assertErrors(BASE.replace("51820", "0xCA6C"),
                "6:18: overlays[0].listen-port: expected a decimal integer, got \"0xCA6C\"");
    }

    @Test
    void portOutOfRange() throws Exception {
        assertErrors(BASE.replace("51820", "70000"),
                "6:18: overlays[0].listen-port: must be 0..65535 (0 = random), got 70000");
    }

    @Test
    void missingRequiredField() throws Exception {
        assertErrors(BASE.replace("    device: ocb-corp\n", ""),
                "4:5: overlays[0].device: is required");
    }

    @Test
    void emptyRequiredField() throws Exception {
        assertErrors(BASE.replace("site: dc-east", "site:"),
                "1:6: site: must not be empty");
    }

    @Test
    void listWhereAStringBelongs() throws Exception {
        assertErrors(BASE.replace("device: ocb-corp", "device: [ocb-corp]"),
                "5:13: overlays[0].device: expected a string, got a list");
    }

    @Test
    void badCidrIsNamedByItsIndex() throws Exception {
        assertErrors(BASE.replace("[10.77.0.2/32]", "[10.77.0.2/32, 10.0.0.0/33]"),
                "11:37: overlays[0].peers[0].allowed-ips[1]: \"10.0.0.0/33\": prefix length must be 0..32");
    }

    @Test
    void mtuOutOfRange() throws Exception {
        assertErrors(BASE.replace("    listen-port: 51820\n", "    mtu: 100\n"),
                "6:10: overlays[0].mtu: must be 576..9000, got 100");
    }

    @Test
    void ipv6NeedsMtu1280() throws Exception {
        assertErrors(BASE.replace("[10.77.0.1/24]", "[10.77.0.1/24, fd77::1/64]").replace("listen-port: 51820", "mtu: 1200"),
                "6:10: overlays[0].mtu: must be at least 1280 with IPv6 addresses, got 1200");
    }

    @Test
    void keepaliveOutOfRange() throws Exception {
        assertErrors(BASE + "        persistent-keepalive: 70000\n",
                "12:31: overlays[0].peers[0].persistent-keepalive: must be 0..65535 seconds (0 = off), got 70000");
    }

    @Test
    void publicKeyMustBe32BytesOfBase64() throws Exception {
        assertErrors(BASE.replace("KEY_A", "c2hvcnQ="),
                "10:21: overlays[0].peers[0].public-key: must be a 32-byte key in standard base64"
                        + " (44 characters, as printed by wg pubkey)");
    }

    @Test
    void namesFollowTheirRules() throws Exception {
        assertErrors(BASE.replace("site: dc-east", "site: DC_East").replace("ocb-corp", "ocb-corporate-net"),
                "1:7: site: must be 1..32 characters of a-z, 0-9 and -, got \"DC_East\"",
                "5:13: overlays[0].device: is 17 characters; Linux allows at most 15");
    }

    @Test
    void endpointNeedsAPortAndBracketsForIpv6() throws Exception {
        assertErrors(BASE + "        endpoint: 192.0.2.2\n",
                "12:19: overlays[0].peers[0].endpoint: missing :port");
        assertErrors(BASE + "        endpoint: 2001:db8::2:51820\n",
                "12:19: overlays[0].peers[0].endpoint: write an IPv6 endpoint as [address]:port");
        assertErrors(BASE + "        endpoint: vpn.example.com:0\n",
                "12:19: overlays[0].peers[0].endpoint: port must be 1..65535");
    }

    @Test
    void overlaysMustDifferInNameDeviceAndPort() throws Exception {
        assertErrors(BASE + """
                  - name: corp
                    device: ocb-corp
                    listen-port: 51820
                    addresses: [10.78.0.1/24]
                """,
                "12:11: overlays[1].name: overlay name \"corp\" is used twice; first (line 4)",
                "13:13: overlays[1].device: device ocb-corp is already used by overlay corp (line 4)",
                "14:18: overlays[1].listen-port: port 51820 is already used by overlay corp (line 4)");
    }

    @Test
    void peersMustDifferAndTheirAllowedIpsMustNotOverlap() throws Exception {
        assertErrors(BASE + """
                      - name: cloud-a
                        public-key: KEY_A
                        allowed-ips: [10.77.0.0/24]
                """,
                "12:15: overlays[0].peers[1].name: peer name \"cloud-a\" is used twice; first (line 9)",
                "13:21: overlays[0].peers[1].public-key: same public key as peer cloud-a (line 9)",
                "14:23: overlays[0].peers[1].allowed-ips[0]: 10.77.0.0/24 overlaps 10.77.0.2/32"
                        + " (overlays[0].peers[0].allowed-ips[0], line 11)");
    }

    /** The fast pre-check sorts prefixes by start; a nested prefix two peers away must still be found. */
    @Test
    void overlapBetweenPeersFarApartInTheFileIsFound() throws Exception {
        assertErrors(BASE.replace("[10.77.0.2/32]", "[10.0.0.0/8]") + """
                      - name: cloud-b
                        public-key: KEY_B
                        allowed-ips: [192.168.0.0/16]
                      - name: cloud-c
                        public-key: %s
                        allowed-ips: [172.16.0.0/12, 10.200.0.0/16]
                """.formatted(key(3)),
                "17:38: overlays[0].peers[2].allowed-ips[1]: 10.200.0.0/16 overlaps 10.0.0.0/8"
                        + " (overlays[0].peers[0].allowed-ips[0], line 11)");
    }

    @Test
    void keyFileMustExistAndBePrivate() throws Exception {
        assertErrors(BASE.replace("keys/dc-east.key", "keys/missing.key"),
                "2:19: private-key-file: " + folder.resolve("keys/missing.key") + ": file not found");
        writeKey("keys/open.key", "rw-r--r--");
        assertErrors(BASE.replace("keys/dc-east.key", "keys/open.key"),
                "2:19: private-key-file: " + folder.resolve("keys/open.key")
                        + ": mode 0644 lets group or others access this key; run chmod 600 on it");
    }

    @Test
    void keyFileMustHoldAKey() throws Exception {
        Path junk = folder.resolve("keys/junk.key");
        Files.writeString(junk, "not a key\n");
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rw-------"));
        assertErrors(BASE.replace("keys/dc-east.key", "keys/junk.key"),
                "2:19: private-key-file: " + junk + ": does not hold a 32-byte base64 key");
    }

    @Test
    void nonCanonicalKeyIsRefusedAsTheDaemonWould() throws Exception {
        // 32 bytes of 9 encode as "CQkJ…CQk="; "CQl=" sets unused low bits that wg and the daemon reject.
        String canonical = key(9);
        String nonCanonical = canonical.substring(0, 42) + "l=";
        Path odd = folder.resolve("keys/odd.key");
        Files.writeString(odd, nonCanonical + "\n");
        Files.setPosixFilePermissions(odd, PosixFilePermissions.fromString("rw-------"));
        assertErrors(BASE.replace("keys/dc-east.key", "keys/odd.key"),
                "2:19: private-key-file: " + odd + ": does not hold a 32-byte base64 key");
    }

    @Test
    void duplicateKeyIsAnError() throws Exception {
        assertErrors(BASE.replace("site: dc-east\n", "site: dc-east\nsite: dc-west\n"),
                "2:1: site: duplicate key (first at line 1)");
    }

    @Test
    void yamlSyntaxErrorHasItsPosition() throws Exception {
        assertErrors(BASE.replace("[10.77.0.1/24]", "[10.77.0.1/24"),
                "8:10: YAML: expected ',' or ']', but got :");
    }

    @Test
    void topLevelMustBeAMapping() throws Exception {
        assertErrors("- site: dc-east\n", "1:1: expected a mapping, got a list");
    }

    @Test
    void emptyFileIsRefused() throws Exception {
        assertErrors("# nothing here\n", "file is empty");
    }

    @Test
    void nonUtf8IsRefusedWithItsPosition() throws Exception {
        byte[] bytes = BASE.replace("KEY_A", KEY_A).getBytes(StandardCharsets.UTF_8);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("dc-east");
        bytes[at + 2] = (byte) 0xFF;
        Files.write(config, bytes);
        assertEquals(List.of(config + ":1:9: not valid UTF-8 (byte 0xFF)"), errors());
    }

    @Test
    void fileOverTheLimitIsRefused() throws Exception {
        char[] padding = new char[ConfigLoader.MAX_FILE_BYTES];
        Arrays.fill(padding, '#');
        write(BASE + new String(padding) + "\n");
        assertEquals(List.of(config + ": larger than 8 MiB; refusing to load"), errors());
    }

    @Test
    void aliasBombIsRefused() throws Exception {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        assertErrors(bomb.toString(), "YAML: Number of aliases for non-scalar nodes exceeds the specified max=16");
    }

    @Test
    void missingFileIsOneError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(folder.resolve("nope.yaml")));
        assertEquals(folder.resolve("nope.yaml") + ": file not found", e.getMessage());
    }

    @Test
    void allErrorsAreReportedInFileOrder() throws Exception {
        assertErrors("""
                site: dc-east
                private-key-file: keys/dc-east.key
                overlays:
                  - name: Corp
                    device: ocb-corp
                    mtu: 10
                    addresses: [10.77.0.1/24, bogus/8]
                    peers:
                      - public-key: KEY_A
                        persistent-keepalive: -1
                """,
                "4:11: overlays[0].name: must be 1..32 characters of a-z, 0-9 and -, got \"Corp\"",
                "6:10: overlays[0].mtu: must be 576..9000, got 10",
                "7:31: overlays[0].addresses[1]: \"bogus/8\": not an IPv4 address",
                "9:9: overlays[0].peers[0].name: is required",
                "10:31: overlays[0].peers[0].persistent-keepalive: must be 0..65535 seconds (0 = off), got -1");
    }

    private void assertErrors(String yaml, String... expected) throws IOException {
        write(yaml);
        List<String> lines = Arrays.stream(expected).map(line -> config + (line.matches("\\d+:\\d+: .*") ? ":" : ": ") + line).toList();
        assertEquals(lines, errors());
    }

    private List<String> errors() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        assertEquals(String.join("\n", e.errors().stream().map(ConfigError::toString).toList()), e.getMessage());
        assertNull(e.getCause());
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    private void write(String yaml) throws IOException {
        Files.writeString(config, yaml.replace("KEY_A", KEY_A).replace("KEY_B", KEY_B));
    }

    private void writeKey(String relative, String mode) throws IOException {
        Path file = folder.resolve(relative);
        Files.writeString(file, key(9) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private static String key(int fill) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) fill);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static List<Cidr> cidrs(String... texts) {
        return Arrays.stream(texts).map(Cidr::parse).toList();
    }
}

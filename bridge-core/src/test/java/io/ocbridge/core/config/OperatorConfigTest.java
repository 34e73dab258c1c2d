package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator keys of a site config: control-socket, metrics and ha. */
class OperatorConfigTest {
    private static final String BASE = """
            site: dc-east
            private-key-file: site.key
            overlays:
              - name: corp
                device: ocb-corp
                addresses: [10.77.0.1/24]
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

    private SiteConfig load(String extra) throws Exception {
        Files.writeString(config, BASE + extra);
        return ConfigLoader.load(config);
    }

    private List<String> errors(String extra) throws Exception {
        Files.writeString(config, BASE + extra);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config));
        return e.errors().stream().map(error -> error.toString().substring(config.toString().length() + 1)).toList();
    }

    @Test
    void defaultsAreTheRunDirectoryAndMetricsOff() throws Exception {
        SiteConfig site = load("");
        assertEquals(Path.of("/run/ocbridge/dc-east.sock"), site.controlSocket());
        assertNull(site.metrics());
    }

    @Test
    void controlSocketResolvesAgainstTheConfigFolder() throws Exception {
        assertEquals(folder.toAbsolutePath().resolve("run/c.sock"), load("control-socket: run/c.sock\n").controlSocket());
        assertEquals(Path.of("/var/run/x.sock"), load("control-socket: /var/run/x.sock\n").controlSocket());
    }

    @Test
    void controlSocketMustFitSunPath() throws Exception {
        String path = "/" + "d".repeat(120) + "/c.sock";
        assertEquals(List.of("7:17: control-socket: " + path + " is 128 bytes; a Unix socket path holds at most 107"),
                errors("control-socket: " + path + "\n"));
        assertEquals(List.of("7:17: control-socket: must name a file, got \"run/\""), errors("control-socket: run/\n"));
    }

    @Test
    void metricsListenIsAnIpAndPort() throws Exception {
        assertEquals(new MetricsConfig(new Endpoint("127.0.0.1", 9586)),
                load("metrics:\n  listen: 127.0.0.1:9586\n").metrics());
        assertEquals(new MetricsConfig(new Endpoint("::1", 9586)), load("metrics: {listen: \"[::1]:9586\"}\n").metrics());
    }

    @Test
    void badMetricsAreReportedWithPositions() throws Exception {
        assertEquals(List.of("8:11: metrics.listen: must be IP-address:port, e.g. 127.0.0.1:9586, got \"localhost:9586\""),
                errors("metrics:\n  listen: localhost:9586\n"));
        assertEquals(List.of("8:11: metrics.listen: must be IP-address:port, e.g. 127.0.0.1:9586, got \"127.0.0.1\""),
                errors("metrics:\n  listen: 127.0.0.1\n"));
        assertEquals(List.of("8:3: metrics.lisen: unknown key; did you mean listen?", "8:3: metrics.listen: is required"),
                errors("metrics:\n  lisen: 127.0.0.1:9586\n"));
        assertEquals(List.of("7:10: metrics: expected a mapping, got an integer"), errors("metrics: 9586\n"));
    }

    @Test
    void haAbsentMeansAlwaysActive() throws Exception {
        assertNull(load("").ha());
    }

    @Test
    void haFollowAddressIsAnIpv4OrIpv6Literal() throws Exception {
        assertEquals(new HaConfig(InetAddress.getByName("192.0.2.10")), load("ha:\n  follow-address: 192.0.2.10\n").ha());
        assertEquals(new HaConfig(InetAddress.getByName("2001:db8::10")),
                load("ha: {follow-address: \"2001:db8::10\"}\n").ha());
    }

    @Test
    void badHaValuesNameTheLineAndColumn() throws Exception {
        assertEquals(List.of("8:19: ha.follow-address: must be an IPv4 or IPv6 address, got \"gw.example.com\""),
                errors("ha:\n  follow-address: gw.example.com\n"));
        assertEquals(List.of("8:19: ha.follow-address: must be the virtual address alone, without a prefix length, "
                + "got \"192.0.2.10/24\""), errors("ha:\n  follow-address: 192.0.2.10/24\n"));
        assertEquals(List.of("8:19: ha.follow-address: must be a unicast host address, not the unspecified address "
                + "0.0.0.0"), errors("ha:\n  follow-address: 0.0.0.0\n"));
        assertEquals(List.of("8:19: ha.follow-address: must be a unicast host address, not the multicast or broadcast "
                + "address 224.0.0.18"), errors("ha:\n  follow-address: 224.0.0.18\n"));
        assertEquals(List.of("8:19: ha.follow-address: must be an address peers can reach, not the loopback address "
                + "127.0.0.1"), errors("ha:\n  follow-address: 127.0.0.1\n"));
        assertEquals(List.of("8:19: ha.follow-address: must be an IPv4 or IPv6 address, got \"192.0.2.300\""),
                errors("ha:\n  follow-address: 192.0.2.300\n"));
    }

    @Test
    void unknownHaKeysAndAMissingAddressAreReported() throws Exception {
        assertEquals(List.of("8:3: ha.follow-adress: unknown key; did you mean follow-address?",
                "8:3: ha.follow-address: is required"), errors("ha:\n  follow-adress: 192.0.2.10\n"));
        assertEquals(List.of("7:5: ha: expected a mapping, got a string"), errors("ha: 192.0.2.10\n"));
    }
}

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

/** {@code ha: {follow-address: …}}: the VRRP virtual address the daemon follows, or always active without it. */
class HaConfigTest {
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
    void absentMeansAlwaysActive() throws Exception {
        assertNull(load("").ha());
    }

    @Test
    void followAddressIsAnIpv4OrIpv6Literal() throws Exception {
        assertEquals(new HaConfig(InetAddress.getByName("192.0.2.10")), load("ha:\n  follow-address: 192.0.2.10\n").ha());
        assertEquals(new HaConfig(InetAddress.getByName("2001:db8::10")),
                load("ha: {follow-address: \"2001:db8::10\"}\n").ha());
    }

    @Test
    void badValuesNameTheLineAndColumn() throws Exception {
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
    void unknownKeysAndMissingAddressAreReported() throws Exception {
        assertEquals(List.of("8:3: ha.follow-adress: unknown key; did you mean follow-address?",
                "8:3: ha.follow-address: is required"), errors("ha:\n  follow-adress: 192.0.2.10\n"));
        assertEquals(List.of("7:5: ha: expected a mapping, got a string"), errors("ha: 192.0.2.10\n"));
    }
}

package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.pki.CertificateAuthority;
import io.ocbridge.crypto.pki.SiteCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peers given by {@code certificate:}: checked against the overlay's {@code ca:} and {@code crl:} at load time. */
class SiteCertificateConfigTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);
    static final Clock NOW = Clock.fixed(T0.plus(DAY.multipliedBy(10)), ZoneOffset.UTC);

    static final byte[] KEY_A = key(1);
    static final byte[] KEY_B = key(2);

    @TempDir
    Path folder;
    Path config;
    CertificateAuthority ca;

    @BeforeEach
    void setUp() throws Exception {
        Path key = folder.resolve("site.key");
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, Base64.getEncoder().encodeToString(key(9)) + "\n");
        config = folder.resolve("site.yaml");
        ca = CertificateAuthority.create("Example Corp CA", T0, DAY.multipliedBy(3650));
        Files.writeString(folder.resolve("ca.crt"), ca.certificatePem());
        issue("cloud-a.crt", "cloud-a", KEY_A, List.of("10.77.0.2/32", "172.20.0.0/16"), T0, DAY.multipliedBy(365));
        issue("cloud-b.crt", "cloud-b", KEY_B, List.of("10.77.0.3/32"), T0, DAY.multipliedBy(365));
    }

    /** Line 9 is the first peer, 11 its certificate; line 12 the second peer, 14 its certificate. */
    private static final String BASE = """
            site: dc-east
            private-key-file: site.key
            overlays:
              - name: corp
                device: ocb-corp
                addresses: [10.77.0.1/24]
                ca: ca.crt
                peers:
                  - name: cloud-a
                    endpoint: "192.0.2.2:51820"
                    certificate: cloud-a.crt
                  - name: cloud-b
                    endpoint: "192.0.2.3:51820"
                    certificate: cloud-b.crt
            """;

    @Test
    void validCertificatesSupplyKeyAndAllowedIps() throws Exception {
        Files.writeString(config, BASE);
        SiteConfig site = ConfigLoader.load(config, NOW);
        OverlayConfig overlay = site.overlays().getFirst();
        assertEquals(folder.resolve("ca.crt"), overlay.ca());
        assertNull(overlay.crl());
        PeerConfig a = overlay.peers().get(0);
        assertEquals(Base64.getEncoder().encodeToString(KEY_A), a.publicKey());
        assertEquals(List.of(Cidr.parse("10.77.0.2/32"), Cidr.parse("172.20.0.0/16")), a.allowedIps());
        assertEquals(folder.resolve("cloud-a.crt"), a.certificate());
        assertEquals(List.of(Cidr.parse("10.77.0.3/32")), overlay.peers().get(1).allowedIps());
    }

    @Test
    void loadKeepsWhenEachCertificateTheCaAndTheCrlRunOut() throws Exception {
        Files.writeString(folder.resolve("revoked.crl"),
                ca.revocationList(null, Set.of(), T0, T0.plus(DAY.multipliedBy(30))));
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    crl: revoked.crl\n"));
        OverlayConfig overlay = ConfigLoader.load(config, NOW).overlays().getFirst();
        assertEquals(new PkiValidity(T0.plus(DAY.multipliedBy(3650)), T0.plus(DAY.multipliedBy(30)), null), overlay.pki());
        assertEquals(T0.plus(DAY.multipliedBy(365)), overlay.peers().getFirst().certificateNotAfter());
        assertNull(overlay.certificate());
    }

    @Test
    void overlayNamesThisSitesOwnCertificate() throws Exception {
        issue("dc-east.crt", "dc-east", key(9), List.of("10.77.0.1/32"), T0, DAY.multipliedBy(90));
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    certificate: dc-east.crt\n"));
        OverlayConfig overlay = ConfigLoader.load(config, NOW).overlays().getFirst();
        assertEquals(folder.resolve("dc-east.crt"), overlay.certificate());
        assertEquals(T0.plus(DAY.multipliedBy(90)), overlay.pki().ownNotAfter());
    }

    @Test
    void ownCertificateMustBeThisSitesAndValid() throws Exception {
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    certificate: cloud-a.crt\n"));
        assertErrors("8:18: overlays[0].certificate: certificate is for site \"cloud-a\", not \"dc-east\"; "
                + "an overlay's certificate is this site's own, so its site name must be site:");
        issue("dc-east.crt", "dc-east", key(9), List.of("10.77.0.1/32"), T0, DAY);
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    certificate: dc-east.crt\n"));
        assertErrors("8:18: overlays[0].certificate: expired on 2026-01-02T00:00:00Z");
    }

    @Test
    void expiredCertificate() throws Exception {
        issue("cloud-b.crt", "cloud-b", KEY_B, List.of("10.77.0.3/32"), T0, DAY);
        Files.writeString(config, BASE);
        assertErrors("14:22: overlays[0].peers[1].certificate: expired on 2026-01-02T00:00:00Z");
    }

    @Test
    void notYetValidCertificate() throws Exception {
        issue("cloud-b.crt", "cloud-b", KEY_B, List.of("10.77.0.3/32"), T0.plus(DAY.multipliedBy(20)), DAY);
        Files.writeString(config, BASE);
        assertErrors("14:22: overlays[0].peers[1].certificate: not yet valid: valid from 2026-01-21T00:00:00Z");
    }

    @Test
    void revokedCertificate() throws Exception {
        SiteCertificate revoked = issue("cloud-b.crt", "cloud-b", KEY_B, List.of("10.77.0.3/32"), T0, DAY.multipliedBy(30));
        Files.writeString(folder.resolve("revoked.crl"),
                ca.revocationList(null, Set.of(revoked.serial()), T0.plus(DAY), T0.plus(DAY.multipliedBy(30))));
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    crl: revoked.crl\n"));
        assertErrors("15:22: overlays[0].peers[1].certificate: revoked on 2026-01-02T00:00:00Z (serial "
                + revoked.serialHex() + ")");
    }

    @Test
    void certificateOfAnotherCaIsUntrusted() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Rogue CA", T0, DAY.multipliedBy(100));
        Files.writeString(folder.resolve("cloud-a.crt"),
                other.issue("cloud-a", KEY_A, List.of("10.77.0.2/32"), T0, DAY.multipliedBy(30)).toPem());
        Files.writeString(config, BASE);
        assertErrors("11:22: overlays[0].peers[0].certificate: untrusted issuer: issued by CN=Rogue CA, "
                + "not by this CA (CN=Example Corp CA)");
    }

    @Test
    void peerNameMustMatchTheSite() throws Exception {
        Files.writeString(config, BASE.replace("certificate: cloud-b.crt", "certificate: cloud-a.crt"));
        assertErrors("14:22: overlays[0].peers[1].certificate: certificate is for site \"cloud-a\", not \"cloud-b\"; "
                + "the peer name must match the site name");
    }

    @Test
    void certificateTogetherWithKeyOrAllowedIpsIsAnError() throws Exception {
        Files.writeString(config, BASE.replace("    certificate: cloud-b.crt\n",
                "    certificate: cloud-b.crt\n        public-key: \"" + Base64.getEncoder().encodeToString(KEY_B)
                        + "\"\n        allowed-ips: [10.77.0.3/32]\n"));
        assertErrors(
                "15:21: overlays[0].peers[1].public-key: give either certificate: or public-key/allowed-ips, not both; "
                        + "the certificate supplies public-key",
                "16:22: overlays[0].peers[1].allowed-ips: give either certificate: or public-key/allowed-ips, not both; "
                        + "the certificate supplies allowed-ips");
    }

    @Test
    void neitherCertificateNorKeyIsAnError() throws Exception {
        Files.writeString(config, BASE.replace("        certificate: cloud-b.crt\n", ""));
        assertErrors("12:9: overlays[0].peers[1].public-key: is required");
    }

    @Test
    void certificateNeedsTheOverlayCa() throws Exception {
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", ""));
        assertErrors(
                "10:22: overlays[0].peers[0].certificate: needs the overlay to name ca: (the CA certificate to check it against)",
                "13:22: overlays[0].peers[1].certificate: needs the overlay to name ca: (the CA certificate to check it against)");
    }

    @Test
    void missingFilesAndForeignCrlAreReportedWhereNamed() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Example Corp CA", T0, DAY.multipliedBy(100));
        Files.writeString(folder.resolve("other.crl"), other.revocationList(null, Set.of(), T0, T0.plus(DAY.multipliedBy(30))));
        Files.writeString(config, BASE.replace("    ca: ca.crt\n", "    ca: ca.crt\n    crl: other.crl\n")
                .replace("certificate: cloud-a.crt", "certificate: nowhere.crt"));
        assertErrors(
                "8:10: overlays[0].crl: " + folder.resolve("other.crl")
                        + ": the revocation list is not signed by this CA (CN=Example Corp CA)",
                "12:22: overlays[0].peers[0].certificate: " + folder.resolve("nowhere.crt") + ": file not found");
    }

    @Test
    void certifiedAllowedIpsMustNotOverlapAnotherPeer() throws Exception {
        issue("cloud-b.crt", "cloud-b", KEY_B, List.of("172.20.1.0/24"), T0, DAY.multipliedBy(30));
        Files.writeString(config, BASE);
        assertErrors("14:22: overlays[0].peers[1].certificate: 172.20.1.0/24 overlaps 172.20.0.0/16 "
                + "(overlays[0].peers[0].certificate, line 11)");
    }

    private SiteCertificate issue(String file, String site, byte[] key, List<String> allowedIps, Instant notBefore,
            Duration validity) throws Exception {
        SiteCertificate certificate = ca.issue(site, key, allowedIps, notBefore, validity);
        Files.writeString(folder.resolve(file), certificate.toPem());
        return certificate;
    }

    private void assertErrors(String... expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(config, NOW));
        String prefix = config + ":";
        assertEquals(String.join("\n", expected), e.errors().stream()
                .map(error -> error.toString().substring(prefix.length()))
                .collect(Collectors.joining("\n")));
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) fill);
        return key;
    }
}

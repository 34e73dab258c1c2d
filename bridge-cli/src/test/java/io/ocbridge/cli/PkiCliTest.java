package io.ocbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.pki.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ca init, cert issue/verify/revoke, and check with certificates, through picocli's execute(). */
@Timeout(30)
class PkiCliTest {
    private static final String KEY = Base64.getEncoder().encodeToString(filled(7));

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path caDir() {
        Path ca = dir.resolve("ca");
        CliRun init = run("ca", "init", "--out-dir", ca.toString(), "--name", "Example Corp CA");
        assertEquals(0, init.exit(), init.err());
        return ca;
    }

    private Path issue(Path ca, String site, String out) {
        Path file = dir.resolve(out);
        CliRun issue = run("cert", "issue", "--ca-dir", ca.toString(), "--site", site, "--public-key", KEY,
                "--allowed-ips", "10.77.0.2/32,172.20.0.0/16", "--days", "30", "--out", file.toString());
        assertEquals(0, issue.exit(), issue.err());
        return file;
    }

    @Test
    void caInitWritesA0600KeyAndACertificateAndRefusesToOverwrite() throws Exception {
        Path ca = caDir();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("ca.key"))));
        assertTrue(Files.readString(ca.resolve("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(ca.resolve("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----"));
        String key = Files.readString(ca.resolve("ca.key"));

        CliRun again = run("ca", "init", "--out-dir", ca.toString(), "--name", "Another");
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already exists; not overwriting a CA"), again.err());
        assertEquals(key, Files.readString(ca.resolve("ca.key")));
    }

    @Test
    void caInitRefusesWhenOnlyTheCertificateExists() throws Exception {
        Path ca = Files.createDirectories(dir.resolve("ca"));
        Files.writeString(ca.resolve("ca.crt"), "keep me");
        CliRun init = run("ca", "init", "--out-dir", ca.toString(), "--name", "X");
        assertEquals(2, init.exit());
        assertFalse(Files.exists(ca.resolve("ca.key")));
        assertEquals("keep me", Files.readString(ca.resolve("ca.crt")));
    }

    @Test
    void issueThenVerifyPrintsWhatTheCertificateBinds() throws Exception {
        Path ca = caDir();
        Path cert = issue(ca, "cloud-a", "cloud-a.crt");
        assertFalse(Files.readString(cert).contains("PRIVATE"));
        CliRun verify = run("cert", "verify", "--ca", ca.resolve("ca.crt").toString(), cert.toString());
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().contains("site:         cloud-a"), verify.out());
        assertTrue(verify.out().contains("public key:   " + KEY), verify.out());
        assertTrue(verify.out().contains("allowed ips:  10.77.0.2/32, 172.20.0.0/16"), verify.out());
        assertTrue(verify.out().contains("status:       ok"), verify.out());

        CliRun twice = run("cert", "issue", "--ca-dir", ca.toString(), "--site", "cloud-a", "--public-key", KEY,
                "--allowed-ips", "10.0.0.0/8", "--out", cert.toString());
        assertEquals(2, twice.exit());
    }

    @Test
    void issueRejectsBadInputWithUsageExit() {
        Path ca = caDir();
        String out = dir.resolve("x.crt").toString();
        assertEquals(2, run("cert", "issue", "--ca-dir", ca.toString(), "--site", "Cloud A", "--public-key", KEY,
                "--allowed-ips", "10.0.0.0/8", "--out", out).exit());
        assertEquals(2, run("cert", "issue", "--ca-dir", ca.toString(), "--site", "a", "--public-key", "nope",
                "--allowed-ips", "10.0.0.0/8", "--out", out).exit());
        assertEquals(2, run("cert", "issue", "--ca-dir", ca.toString(), "--site", "a", "--public-key", KEY,
                "--allowed-ips", "10.0.0.300/8", "--out", out).exit());
        assertFalse(Files.exists(dir.resolve("x.crt")));
    }

    @Test
    void issueRefusesACaKeyOthersCanRead() throws Exception {
        Path ca = caDir();
        Files.setPosixFilePermissions(ca.resolve("ca.key"), PosixFilePermissions.fromString("rw-r--r--"));
        CliRun issue = run("cert", "issue", "--ca-dir", ca.toString(), "--site", "a", "--public-key", KEY,
                "--allowed-ips", "10.0.0.0/8", "--out", dir.resolve("a.crt").toString());
        assertEquals(1, issue.exit());
        assertTrue(issue.err().contains("chmod 600"), issue.err());
    }

    @Test
    void revokeBySerialOrFileThenVerifyFails() throws Exception {
        Path ca = caDir();
        Path a = issue(ca, "cloud-a", "a.crt");
        Path b = issue(ca, "cloud-b", "b.crt");
        CliRun revoke = run("cert", "revoke", "--ca-dir", ca.toString(), a.toString());
        assertEquals(0, revoke.exit(), revoke.err());
        Path crl = ca.resolve("revoked.crl");
        assertTrue(Files.readString(crl).startsWith("-----BEGIN X509 CRL-----"));

        CliRun verify = run("cert", "verify", "--ca", ca.resolve("ca.crt").toString(), "--crl", crl.toString(),
                a.toString(), b.toString());
        assertEquals(1, verify.exit());
        assertTrue(verify.out().contains("status:       revoked on "), verify.out());
        assertTrue(verify.out().contains("status:       ok"), verify.out());

        String serialB = run("cert", "verify", "--ca", ca.resolve("ca.crt").toString(), b.toString()).out().lines()
                .filter(l -> l.contains("serial:")).findFirst().orElseThrow().replaceAll(".*serial: *", "");
        assertEquals(0, run("cert", "revoke", "--ca-dir", ca.toString(), "--serial", serialB).exit());
        CliRun both = run("cert", "verify", "--ca", ca.resolve("ca.crt").toString(), "--crl", crl.toString(), b.toString());
        assertEquals(1, both.exit());
        assertTrue(both.out().contains("revoked on"), both.out());
    }

    @Test
    void verifyRefusesCertificatesOfAnotherCaAndExpiredOnes() throws Exception {
        Path ca = caDir();
        Instant past = Instant.now().minus(Duration.ofDays(10));
        CertificateAuthority other = CertificateAuthority.create("Other CA", past, Duration.ofDays(100));
        Path foreign = dir.resolve("foreign.crt");
        Files.writeString(foreign, other.issue("cloud-a", filled(7), List.of("10.0.0.0/8"), past, Duration.ofDays(30)).toPem());
        CertificateAuthority ours = CertificateAuthority.load(Files.readString(ca.resolve("ca.key")),
                Files.readString(ca.resolve("ca.crt")));
        Path expired = dir.resolve("expired.crt");
        Files.writeString(expired, ours.issue("cloud-a", filled(7), List.of("10.0.0.0/8"), past, Duration.ofDays(1)).toPem());

        CliRun verify = run("cert", "verify", "--ca", ca.resolve("ca.crt").toString(), foreign.toString(), expired.toString());
        assertEquals(1, verify.exit());
        assertTrue(verify.out().contains("status:       untrusted issuer: issued by CN=Other CA"), verify.out());
        assertTrue(verify.out().contains("status:       expired on "), verify.out());

        CliRun revokeForeign = run("cert", "revoke", "--ca-dir", ca.toString(), foreign.toString());
        assertEquals(2, revokeForeign.exit());
        assertEquals(2, run("cert", "verify", "--ca", foreign.toString(), expired.toString()).exit());
    }

    @Test
    void checkReportsARevokedPeerCertificateAtItsLine() throws Exception {
        Path ca = caDir();
        Path cert = issue(ca, "cloud-a", "cloud-a.crt");
        Path key = dir.resolve("site.key");
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        Path config = dir.resolve("site.yaml");
        Files.writeString(config, """
                site: dc-east
                private-key-file: site.key
                overlays:
                  - name: corp
                    device: ocb-corp
                    addresses: [10.77.0.1/24]
                    ca: ca/ca.crt
                    crl: ca/revoked.crl
                    peers:
                      - name: cloud-a
                        certificate: cloud-a.crt
                """);
        assertEquals(0, run("cert", "revoke", "--ca-dir", ca.toString(), "--next-update-days", "5").exit());
        CliRun ok = run("check", "-c", config.toString());
        assertEquals(0, ok.exit(), ok.err());

        assertEquals(0, run("cert", "revoke", "--ca-dir", ca.toString(), cert.toString()).exit());
        CliRun refused = run("check", "-c", config.toString());
        assertEquals(2, refused.exit());
        assertTrue(refused.err().startsWith(config + ":11:22: overlays[0].peers[0].certificate: revoked on "),
                refused.err());
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}

package io.ocbridge.crypto.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ocbridge.crypto.pki.CertificateAuthority;
import io.ocbridge.crypto.pki.CertificateVerifier;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.SiteCertificate;
import io.ocbridge.crypto.pki.Verdict;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Site PKI parsing: certificates, CA certificates and revocation lists from untrusted files end in a
 * result or a {@link PkiException}, and verifying never throws. The CA the regression inputs were issued by
 * is checked in as {@code PkiFuzzTest-ca.pem}.
 */
class PkiFuzzTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    /** The CA of the regression inputs, loaded on first use (writeSeeds creates it). */
    private static final class Ca {
        static final String PEM = new String(FuzzLoop.resource(PkiFuzzTest.class, "PkiFuzzTest-ca.pem"), StandardCharsets.US_ASCII);
        static final CertificateVerifier VERIFIER;

        static {
            try {
                VERIFIER = CertificateVerifier.of(PEM, null);
            } catch (PkiException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @FuzzTest(maxDuration = "10m")
    void pki(byte[] data) {
        fuzzOne(data);
    }

    @Test
    void pkiMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(PkiFuzzTest.class, "pki");
        assertTrue(FuzzLoop.run("pki", seeds, 4096, PkiFuzzTest::fuzzOne) >= seeds.size());
    }

    /**
     * Control byte: 0 the rest is a certificate's DER to parse, 1 a certificate's DER to verify against the CA,
     * 2 a CRL's DER for the CA, 3 a CA certificate's DER, 4+ raw PEM text for each of those.
     */
    static void fuzzOne(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xff;
        byte[] rest = java.util.Arrays.copyOfRange(data, 1, data.length);
        String text = mode >= 4 ? new String(rest, StandardCharsets.ISO_8859_1) : null;
        try {
            switch (mode) {
                case 0 -> SiteCertificate.parse(pem("CERTIFICATE", rest));
                case 1 -> verify(pem("CERTIFICATE", rest));
                case 2 -> CertificateVerifier.of(Ca.PEM, pem("X509 CRL", rest));
                case 3 -> CertificateVerifier.of(pem("CERTIFICATE", rest), null);
                default -> {
                    verify(text);
                    try {
                        CertificateVerifier.of(Ca.PEM, text);
                    } catch (PkiException expected) {
                        // refused
                    }
                    CertificateVerifier.of(text, null);
                }
            }
        } catch (PkiException expected) {
            // refused with a reason: fine
        }
    }

    private static void verify(String pem) {
        Verdict verdict = Ca.VERIFIER.verify(pem, NOW);
        assertNotNull(verdict);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Regenerates the CA and the regression inputs: {@code -Dtest=PkiFuzzTest#writeSeeds -Dfuzz.writeSeeds=true}. */
    @Test
    @EnabledIfSystemProperty(named = "fuzz.writeSeeds", matches = "true")
    void writeSeeds() throws Exception {
        Path resources = Paths.get("src/test/resources/io/ocbridge/crypto/fuzz");
        CertificateAuthority ca = CertificateAuthority.create("Fuzz CA", NOW.minus(Duration.ofDays(1)), Duration.ofDays(3650));
        Files.createDirectories(resources);
        Files.writeString(resources.resolve("PkiFuzzTest-ca.pem"), ca.certificatePem());
        byte[] key = new byte[32];
        key[0] = 9;
        SiteCertificate site = ca.issue("cloud-a", key, List.of("10.77.0.2/32", "fd77::2/128"), NOW.minus(Duration.ofHours(1)),
                Duration.ofDays(365));
        String crl = ca.revocationList(null, List.of(site.serial(), BigInteger.valueOf(77)), NOW, NOW.plus(Duration.ofDays(7)));
        List<byte[]> seeds = new ArrayList<>();
        byte[] siteDer = site.encoded();
        byte[] caDer = der(ca.certificatePem());
        byte[] crlDer = der(crl);
        seeds.add(concat((byte) 0, siteDer));
        seeds.add(concat((byte) 1, siteDer));
        seeds.add(concat((byte) 2, crlDer));
        seeds.add(concat((byte) 3, caDer));
        seeds.add(concat((byte) 4, site.toPem().getBytes(StandardCharsets.US_ASCII)));
        seeds.add(concat((byte) 4, crl.getBytes(StandardCharsets.US_ASCII)));
        seeds.add(concat((byte) 4, ca.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        Path dir = resources.resolve("PkiFuzzTestInputs/pki");
        Files.createDirectories(dir);
        for (byte[] s : seeds) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s));
            Files.write(dir.resolve("seed-" + sha.substring(0, 16)), s);
        }
    }

    private static byte[] der(String pem) {
        String body = pem.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static byte[] concat(byte first, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}

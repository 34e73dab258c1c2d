package io.ocbridge.crypto.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.pki.Verdict.Reason;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

/** CA init, issue, verify and revoke round trips at fixed instants; every refusal reason. */
class CertificateAuthorityTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);
    static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i + 1);
        }
    }

    final CertificateAuthority ca = CertificateAuthority.create("Example Corp CA", T0, DAY.multipliedBy(3650));

    private CertificateVerifier verifier(String crl) throws PkiException {
        return CertificateVerifier.of(ca.certificatePem(), crl);
    }

    private SiteCertificate issue(Instant notBefore, Duration validity) {
        return ca.issue("cloud-a", KEY, List.of("10.77.0.2/32", "172.20.0.0/16"), notBefore, validity);
    }

    @Test
    void caCertificateIsSelfSignedCaWithCertAndCrlSigning() throws Exception {
        X509CertificateHolder holder = SiteCertificate.holder(ca.certificatePem());
        assertEquals("CN=Example Corp CA", holder.getSubject().toString());
        assertEquals(holder.getSubject(), holder.getIssuer());
        assertTrue(BasicConstraints.fromExtensions(holder.getExtensions()).isCA());
        assertTrue(holder.getExtension(Extension.basicConstraints).isCritical());
        assertTrue(KeyUsage.fromExtensions(holder.getExtensions()).hasUsages(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        assertEquals(2, holder.getVersionNumber() - 1);
        assertTrue(CertificateVerifier.signedBy(holder, holder));
        assertTrue(ca.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void storedCaReloadsAndStillIssuesTrustedCertificates() throws Exception {
        CertificateAuthority reloaded = CertificateAuthority.load(ca.privateKeyPem(), ca.certificatePem());
        SiteCertificate cert = reloaded.issue("cloud-b", KEY, List.of("10.0.0.0/8"), T0, DAY);
        assertTrue(verifier(null).verify(cert.toPem(), T0.plusSeconds(60)).ok());
    }

    @Test
    void aKeyFromAnotherCaIsRejectedOnLoad() {
        CertificateAuthority other = CertificateAuthority.create("Example Corp CA", T0, DAY);
        PkiException e = assertThrows(PkiException.class,
                () -> CertificateAuthority.load(other.privateKeyPem(), ca.certificatePem()));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void issuedCertificateBindsSiteKeyAndAllowedIps() throws Exception {
        SiteCertificate issued = issue(T0, DAY.multipliedBy(365));
        Verdict verdict = verifier(null).verify(issued.toPem(), T0.plus(DAY));
        assertTrue(verdict.ok(), verdict.message());
        SiteCertificate cert = verdict.certificate();
        assertEquals("cloud-a", cert.site());
        assertArrayEquals(KEY, cert.publicKey());
        assertEquals(List.of("10.77.0.2/32", "172.20.0.0/16"), cert.allowedIps());
        assertEquals(T0, cert.notBefore());
        assertEquals(T0.plus(DAY.multipliedBy(365)), cert.notAfter());
        X509CertificateHolder holder = cert.holder();
        assertEquals("CN=cloud-a", holder.getSubject().toString());
        assertFalse(holder.getExtension(SiteExtensions.WIREGUARD_PUBLIC_KEY).isCritical());
        assertFalse(holder.getExtension(SiteExtensions.ALLOWED_IPS).isCritical());
        assertFalse(BasicConstraints.fromExtensions(holder.getExtensions()).isCA());
        assertEquals("1.3.6.1.4.1.99999.1.1", SiteExtensions.WIREGUARD_PUBLIC_KEY.getId());
    }

    @Test
    void certificateCarriesNoPrivateKeyMaterial() {
        String pem = issue(T0, DAY).toPem();
        assertFalse(pem.contains("PRIVATE"));
        String der = Base64.getEncoder().encodeToString(issue(T0, DAY).encoded());
        String caKey = ca.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        String rawCaKey = Base64.getEncoder().encodeToString(
                java.util.Arrays.copyOfRange(Base64.getDecoder().decode(caKey), 16, 48));
        assertFalse(der.contains(rawCaKey));
    }

    @Test
    void tamperedCertificateFailsTheSignature() throws Exception {
        byte[] der = issue(T0, DAY).encoded();
        byte[] key = KEY.clone();
        int at = indexOf(der, key);
        assertTrue(at > 0);
        der[at] ^= 1;  // the extension's copy of the key; the SPKI copy is first, so flip that one too
        int second = indexOf(der, key);
        if (second > 0) {
            der[second] ^= 1;
        }
        Verdict verdict = verifier(null).verify(Pem.encode(Pem.CERTIFICATE, der), T0.plusSeconds(1));
        assertEquals(Reason.BAD_SIGNATURE, verdict.reason(), verdict.message());
        assertTrue(verdict.message().startsWith("bad signature"), verdict.message());
    }

    @Test
    void certificateFromAnotherCaIsUntrusted() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Other CA", T0, DAY.multipliedBy(10));
        SiteCertificate foreign = other.issue("cloud-a", KEY, List.of("10.0.0.0/8"), T0, DAY);
        Verdict verdict = verifier(null).verify(foreign.toPem(), T0.plusSeconds(1));
        assertEquals(Reason.UNTRUSTED_ISSUER, verdict.reason());
        assertEquals("untrusted issuer: issued by CN=Other CA, not by this CA (CN=Example Corp CA)", verdict.message());
    }

    @Test
    void anotherCaOfTheSameNameIsUntrusted() throws Exception {
        CertificateAuthority impostor = CertificateAuthority.create("Example Corp CA", T0, DAY.multipliedBy(10));
        SiteCertificate foreign = impostor.issue("cloud-a", KEY, List.of("10.0.0.0/8"), T0, DAY);
        Verdict verdict = verifier(null).verify(foreign.toPem(), T0.plusSeconds(1));
        assertEquals(Reason.UNTRUSTED_ISSUER, verdict.reason(), verdict.message());
    }

    @Test
    void expiredAndNotYetValid() throws Exception {
        SiteCertificate cert = issue(T0.plus(DAY), DAY);
        Verdict early = verifier(null).verify(cert.toPem(), T0);
        assertEquals(Reason.NOT_YET_VALID, early.reason());
        assertEquals("not yet valid: valid from 2026-01-02T00:00:00Z", early.message());
        Verdict late = verifier(null).verify(cert.toPem(), T0.plus(DAY.multipliedBy(3)));
        assertEquals(Reason.EXPIRED, late.reason());
        assertEquals("expired on 2026-01-03T00:00:00Z", late.message());
    }

    @Test
    void revokedCertificateIsRefusedOthersPass() throws Exception {
        SiteCertificate revoked = issue(T0, DAY.multipliedBy(30));
        SiteCertificate kept = issue(T0, DAY.multipliedBy(30));
        String crl = ca.revocationList(null, Set.of(revoked.serial()), T0.plus(DAY), T0.plus(DAY.multipliedBy(7)));
        Verdict verdict = verifier(crl).verify(revoked.toPem(), T0.plus(DAY.multipliedBy(2)));
        assertEquals(Reason.REVOKED, verdict.reason());
        assertEquals("revoked on 2026-01-02T00:00:00Z (serial " + revoked.serialHex() + ")", verdict.message());
        assertTrue(verifier(crl).verify(kept.toPem(), T0.plus(DAY.multipliedBy(2))).ok());
    }

    @Test
    void revocationListAccumulatesAndNumbersItself() throws Exception {
        SiteCertificate first = issue(T0, DAY.multipliedBy(30));
        SiteCertificate second = issue(T0, DAY.multipliedBy(30));
        String one = ca.revocationList(null, Set.of(first.serial()), T0, T0.plus(DAY.multipliedBy(7)));
        String two = ca.revocationList(one, Set.of(second.serial(), first.serial()), T0.plus(DAY),
                T0.plus(DAY.multipliedBy(7)));
        var holder = CertificateVerifier.parseCrl(two);
        assertEquals(2, holder.getRevokedCertificates().size());
        assertEquals(BigInteger.TWO, org.bouncycastle.asn1.ASN1Integer.getInstance(
                holder.getExtension(Extension.cRLNumber).getParsedValue()).getValue());
        assertEquals(Reason.REVOKED, verifier(two).verify(first.toPem(), T0.plus(DAY)).reason());
        assertEquals(Reason.REVOKED, verifier(two).verify(second.toPem(), T0.plus(DAY)).reason());
    }

    @Test
    void staleRevocationListFailsClosed() throws Exception {
        String crl = ca.revocationList(null, Set.of(), T0, T0.plus(DAY));
        Verdict verdict = verifier(crl).verify(issue(T0, DAY.multipliedBy(30)).toPem(), T0.plus(DAY.multipliedBy(2)));
        assertEquals(Reason.CRL_EXPIRED, verdict.reason());
    }

    @Test
    void verifierSaysWhenTheCaAndTheCrlRunOut() throws Exception {
        String crl = ca.revocationList(null, Set.of(), T0, T0.plus(DAY.multipliedBy(30)));
        assertEquals(T0.plus(DAY.multipliedBy(30)), verifier(crl).crlNextUpdate());
        assertEquals(T0.plus(DAY.multipliedBy(3650)), verifier(crl).caNotAfter());
        assertNull(verifier(null).crlNextUpdate());
    }

    @Test
    void revocationListOfAnotherCaIsRejected() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Example Corp CA", T0, DAY);
        String foreign = other.revocationList(null, Set.of(), T0, T0.plus(DAY));
        assertThrows(PkiException.class, () -> verifier(foreign));
        assertThrows(PkiException.class, () -> ca.revocationList(foreign, Set.of(), T0, T0.plus(DAY)));
    }

    @Test
    void siteCertificateIsNotACa() throws Exception {
        PkiException e = assertThrows(PkiException.class,
                () -> CertificateVerifier.of(issue(T0, DAY).toPem(), null));
        assertTrue(e.getMessage().contains("not a CA"));
    }

    @Test
    void garbageIsMalformed() throws Exception {
        Verdict verdict = verifier(null).verify("hello", T0);
        assertEquals(Reason.MALFORMED, verdict.reason());
        assertNull(verdict.certificate());
        assertEquals(Reason.MALFORMED, verifier(null).verify(ca.certificatePem(), T0).reason());
    }

    @Test
    void rejectsWrongKeyLength() {
        assertThrows(IllegalArgumentException.class,
                () -> ca.issue("x", new byte[31], List.of("10.0.0.0/8"), T0, DAY));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

package io.ocbridge.crypto.pki;

import io.ocbridge.crypto.pki.Verdict.Reason;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Checks site certificates against one CA certificate and, optionally, its CRL, at an instant passed in.
 * The checks run in this order and the first failure is the verdict: readable, issued by this CA (name and
 * key identifier), signature, CA validity, certificate validity, CRL freshness, revocation.
 * Immutable; safe to share between threads.
 */
public final class CertificateVerifier {

    private final X509CertificateHolder ca;
    private final X509CRLHolder crl;

    private CertificateVerifier(X509CertificateHolder ca, X509CRLHolder crl) {
        this.ca = ca;
        this.crl = crl;
    }

    /**
     * A verifier trusting {@code caPem}, which must be a CA certificate (basicConstraints CA, keyCertSign);
     * {@code crlPem} may be null, else it must be issued and signed by that CA.
     */
    public static CertificateVerifier of(String caPem, String crlPem) throws PkiException {
        try {
            return build(caPem, crlPem);
        } catch (RuntimeException e) {
            // Bouncy Castle decodes nested ASN.1 lazily, so a corrupt file can throw at any later access.
            throw new PkiException("not a valid CA certificate or revocation list: " + e.getMessage());
        }
    }

    private static CertificateVerifier build(String caPem, String crlPem) throws PkiException {
        X509CertificateHolder ca = SiteCertificate.holder(caPem);
        BasicConstraints constraints = BasicConstraints.fromExtensions(ca.getExtensions());
        if (constraints == null || !constraints.isCA()) {
            throw new PkiException("not a CA certificate (basicConstraints CA is not set)");
        }
        KeyUsage usage = KeyUsage.fromExtensions(ca.getExtensions());
        if (usage != null && !usage.hasUsages(KeyUsage.keyCertSign)) {
            throw new PkiException("the CA certificate's keyUsage does not allow keyCertSign");
        }
        if (!signedBy(ca, ca)) {
            throw new PkiException("the CA certificate is not validly self-signed");
        }
        X509CRLHolder crl = null;
        if (crlPem != null) {
            crl = parseCrl(crlPem);
            if (!crl.getIssuer().equals(ca.getSubject()) || !signedBy(crl, ca)) {
                throw new PkiException("the revocation list is not signed by this CA (" + ca.getSubject() + ")");
            }
        }
        return new CertificateVerifier(ca, crl);
    }

    /** The end of the CA certificate's validity: every certificate it vouches for is refused after it. */
    public Instant caNotAfter() {
        return ca.getNotAfter().toInstant();
    }

    /**
     * The CRL's next update, after which every certificate is refused until a fresh CRL is loaded; null without a CRL
     * or when the CRL names none.
     */
    public Instant crlNextUpdate() {
        return crl == null || crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
    }

    public Verdict verify(String certificatePem, Instant now) {
        try {
            return check(certificatePem, now);
        } catch (RuntimeException e) {
            // Lazily decoded ASN.1 of the (untrusted) certificate, e.g. a corrupt authorityKeyIdentifier or issuer.
            return Verdict.refused(Reason.MALFORMED, "not a site certificate: " + e.getMessage(), null);
        }
    }

    private Verdict check(String certificatePem, Instant now) {
        SiteCertificate certificate;
        try {
            certificate = SiteCertificate.parse(certificatePem);
        } catch (PkiException e) {
            return Verdict.refused(Reason.MALFORMED, "not a site certificate: " + e.getMessage(), null);
        }
        X509CertificateHolder holder = certificate.holder();
        if (!holder.getIssuer().equals(ca.getSubject()) || !keyIdentifierMatches(holder)) {
            return Verdict.refused(Reason.UNTRUSTED_ISSUER, "untrusted issuer: issued by " + holder.getIssuer()
                    + ", not by this CA (" + ca.getSubject() + ")", certificate);
        }
        if (!signedBy(holder, ca)) {
            return Verdict.refused(Reason.BAD_SIGNATURE, "bad signature: not signed by " + ca.getSubject()
                    + " (the certificate was altered, or issued by another CA of the same name)", certificate);
        }
        if (now.isBefore(ca.getNotBefore().toInstant()) || now.isAfter(ca.getNotAfter().toInstant())) {
            return Verdict.refused(Reason.CA_NOT_VALID, "the CA certificate is valid only from "
                    + Verdict.when(ca.getNotBefore().toInstant()) + " to "
                    + Verdict.when(ca.getNotAfter().toInstant()), certificate);
        }
        if (now.isBefore(certificate.notBefore())) {
            return Verdict.refused(Reason.NOT_YET_VALID, "not yet valid: valid from "
                    + Verdict.when(certificate.notBefore()), certificate);
        }
        if (now.isAfter(certificate.notAfter())) {
            return Verdict.refused(Reason.EXPIRED, "expired on " + Verdict.when(certificate.notAfter()), certificate);
        }
        if (crl != null) {
            if (crl.getNextUpdate() != null && now.isAfter(crl.getNextUpdate().toInstant())) {
                return Verdict.refused(Reason.CRL_EXPIRED, "the revocation list expired on "
                        + Verdict.when(crl.getNextUpdate().toInstant())
                        + " (next update); refresh it with ocbridge cert revoke", certificate);
            }
            X509CRLEntryHolder entry = crl.getRevokedCertificate(certificate.serial());
            if (entry != null) {
                return Verdict.refused(Reason.REVOKED, "revoked on "
                        + Verdict.when(entry.getRevocationDate().toInstant()) + " (serial "
                        + certificate.serialHex() + ")", certificate);
            }
        }
        return Verdict.ok(certificate);
    }

    /** If both the certificate and the CA name key identifiers, they must agree. */
    private boolean keyIdentifierMatches(X509CertificateHolder holder) {
        AuthorityKeyIdentifier authority = AuthorityKeyIdentifier.fromExtensions(holder.getExtensions());
        SubjectKeyIdentifier subject = SubjectKeyIdentifier.fromExtensions(ca.getExtensions());
        if (authority == null || authority.getKeyIdentifierObject() == null || subject == null) {
            return true;
        }
        return Arrays.equals(authority.getKeyIdentifierObject().getOctets(), subject.getKeyIdentifier());
    }

    static X509CRLHolder parseCrl(String pem) throws PkiException {
        try {
            return new X509CRLHolder(Pem.decode(pem, Pem.CRL));
        } catch (IOException | RuntimeException e) {
            throw new PkiException("not an X.509 CRL: " + e.getMessage());
        }
    }

    static boolean signedBy(X509CertificateHolder certificate, X509CertificateHolder issuer) {
        try {
            return certificate.isSignatureValid(verifier(issuer));
        } catch (CertException | PkiException | RuntimeException e) {
            return false;
        }
    }

    static boolean signedBy(X509CRLHolder crl, X509CertificateHolder issuer) {
        try {
            return crl.isSignatureValid(verifier(issuer));
        } catch (CertException | PkiException | RuntimeException e) {
            return false;
        }
    }

    private static ContentVerifierProvider verifier(X509CertificateHolder issuer) throws PkiException {
        try {
            return new JcaContentVerifierProviderBuilder().setProvider(CertificateAuthority.BC)
                    .build(issuer.getSubjectPublicKeyInfo());
        } catch (OperatorCreationException e) {
            throw new PkiException("cannot use the CA public key: " + e.getMessage());
        }
    }
}

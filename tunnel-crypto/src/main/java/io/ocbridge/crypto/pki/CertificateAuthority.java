package io.ocbridge.crypto.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A site CA: an Ed25519 key and its self-signed certificate. It issues site certificates and signs revocation
 * lists. Times are passed in (no clock here), so tests can issue certificates that are already expired.
 * The private key leaves this object only through {@link #privateKeyPem()}, for the caller to store 0600.
 */
public final class CertificateAuthority {

    static final Provider BC = new BouncyCastleProvider();
    private static final String SIGNATURE = "Ed25519";
    /** RFC 5280 allows 20 octets; 127 random bits plus one keeps the serial positive and non-zero. */
    private static final int SERIAL_BITS = 127;

    private final PrivateKey privateKey;
    private final X509CertificateHolder certificate;
    private final SecureRandom random;

    private CertificateAuthority(PrivateKey privateKey, X509CertificateHolder certificate, SecureRandom random) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.random = random;
    }

    /** A new CA named {@code CN=name}, valid from {@code notBefore} for {@code validity}. */
    public static CertificateAuthority create(String name, Instant notBefore, Duration validity) {
        SecureRandom random = new SecureRandom();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(SIGNATURE, BC);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(random),
                    Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), builder.build(signer(pair.getPrivate())), random);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("Ed25519 CA generation failed", e);
        }
    }

    /** A CA from its stored PKCS#8 private key and certificate; checks that they belong together. */
    public static CertificateAuthority load(String privateKeyPem, String certificatePem) throws PkiException {
        X509CertificateHolder certificate = SiteCertificate.holder(certificatePem);
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(SIGNATURE, BC)
                    .generatePrivate(new PKCS8EncodedKeySpec(Pem.decode(privateKeyPem, Pem.PRIVATE_KEY)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new PkiException("not an Ed25519 private key: " + e.getMessage());
        }
        CertificateAuthority ca = new CertificateAuthority(key, certificate, new SecureRandom());
        X509CertificateHolder probe = ca.signProbe();
        if (!CertificateVerifier.signedBy(probe, certificate)) {
            throw new PkiException("the private key does not belong to the CA certificate");
        }
        return ca;
    }

    public String certificatePem() {
        return Pem.encode(Pem.CERTIFICATE, encoded(certificate));
    }

    /** PKCS#8 PEM of the CA's private key: a secret; store it 0600. */
    public String privateKeyPem() {
        return Pem.encode(Pem.PRIVATE_KEY, privateKey.getEncoded());
    }

    public X500Name name() {
        return certificate.getSubject();
    }

    /**
     * Issues a certificate for {@code site} (subject CN) binding its 32-byte WireGuard public key and the
     * allowed-ips it may announce, valid from {@code notBefore} for {@code validity}. CIDR syntax is the
     * caller's to check; this only records the strings.
     */
    public SiteCertificate issue(String site, byte[] publicKey, List<String> allowedIps, Instant notBefore,
            Duration validity) {
        if (publicKey.length != SiteExtensions.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("a WireGuard public key is " + SiteExtensions.PUBLIC_KEY_BYTES
                    + " bytes, got " + publicKey.length);
        }
        if (site.isEmpty() || allowedIps.isEmpty()) {
            throw new IllegalArgumentException("a site certificate needs a site name and at least one allowed-ips");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, site).build();
        SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(EdECObjectIdentifiers.id_X25519), publicKey);
        ASN1Encodable[] cidrs = allowedIps.stream().map(DERUTF8String::new).toArray(ASN1Encodable[]::new);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(certificate.getSubject(), serial(random),
                    Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, spki)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(certificate.getSubjectPublicKeyInfo()))
                    .addExtension(SiteExtensions.WIREGUARD_PUBLIC_KEY, false, new DEROctetString(publicKey))
                    .addExtension(SiteExtensions.ALLOWED_IPS, false, new DERSequence(cidrs));
            return SiteCertificate.parse(Pem.encode(Pem.CERTIFICATE, encoded(builder.build(signer(privateKey)))));
        } catch (GeneralSecurityException | CertIOException | PkiException e) {
            throw new IllegalStateException("issuing a site certificate failed", e);
        }
    }

    /**
     * A CRL signed by this CA: the entries of {@code previousPem} (if not null; it must be ours) plus
     * {@code newlyRevoked} (serials already listed are not repeated), with a CRL number one above the previous.
     */
    public String revocationList(String previousPem, Collection<BigInteger> newlyRevoked, Instant thisUpdate,
            Instant nextUpdate) throws PkiException {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(certificate.getSubject(), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(nextUpdate));
        BigInteger number = BigInteger.ONE;
        if (previousPem != null) {
            X509CRLHolder previous = CertificateVerifier.parseCrl(previousPem);
            if (!CertificateVerifier.signedBy(previous, certificate)) {
                throw new PkiException("the existing revocation list is not signed by this CA");
            }
            builder.addCRL(previous);
            Extension previousNumber = previous.getExtension(Extension.cRLNumber);
            if (previousNumber != null) {
                number = ASN1Integer.getInstance(previousNumber.getParsedValue()).getValue().add(BigInteger.ONE);
            }
        }
        for (BigInteger serial : newlyRevoked) {
            if (previousPem == null || CertificateVerifier.parseCrl(previousPem).getRevokedCertificate(serial) == null) {
                builder.addCRLEntry(serial, Date.from(thisUpdate), CRLReason.unspecified);
            }
        }
        try {
            builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate.getSubjectPublicKeyInfo()));
            return Pem.encode(Pem.CRL, builder.build(signer(privateKey)).getEncoded());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("signing a revocation list failed", e);
        }
    }

    /** A throw-away certificate signed with the private key, to prove key and certificate match. */
    private X509CertificateHolder signProbe() throws PkiException {
        X500Name probe = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "probe").build();
        Instant now = Instant.ofEpochSecond(0);
        try {
            return new X509v3CertificateBuilder(probe, BigInteger.ONE, Date.from(now), Date.from(now), probe,
                    certificate.getSubjectPublicKeyInfo()).build(signer(privateKey));
        } catch (RuntimeException e) {
            throw new PkiException("cannot sign with the CA key: " + e.getMessage());
        }
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder(SIGNATURE).setProvider(BC).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no Ed25519 signer", e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(SERIAL_BITS, random).add(BigInteger.ONE);
    }

    private static byte[] encoded(X509CertificateHolder holder) {
        try {
            return holder.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a certificate failed", e);
        }
    }
}

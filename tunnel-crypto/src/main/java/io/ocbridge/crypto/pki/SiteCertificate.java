package io.ocbridge.crypto.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * What a site certificate says, read without judging it: {@link CertificateVerifier} decides whether to
 * believe it. {@code publicKey} is the site's 32-byte WireGuard key; {@code allowedIps} are CIDR strings.
 */
public record SiteCertificate(String site, byte[] publicKey, List<String> allowedIps, BigInteger serial,
                              Instant notBefore, Instant notAfter, X500Name issuer, X509CertificateHolder holder) {

    public SiteCertificate {
        publicKey = publicKey.clone();
        allowedIps = List.copyOf(allowedIps);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The serial number in lower-case hex, as {@code cert revoke --serial} takes it. */
    public String serialHex() {
        return serial.toString(16);
    }

    /** The DER encoding. */
    public byte[] encoded() {
        try {
            return holder.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("re-encoding a parsed certificate failed", e);
        }
    }

    public String toPem() {
        return Pem.encode(Pem.CERTIFICATE, encoded());
    }

    /** Parses one PEM certificate and its site extensions; throws if it is not a site certificate. */
    public static SiteCertificate parse(String pem) throws PkiException {
        X509CertificateHolder holder = holder(pem);
        try {
            return siteFields(holder);
        } catch (RuntimeException e) {
            // Bouncy Castle decodes lazily: e.g. a UTF8String with invalid UTF-8 throws IllegalArgumentException.
            throw new PkiException("not a site certificate: " + e.getMessage());
        }
    }

    private static SiteCertificate siteFields(X509CertificateHolder holder) throws PkiException {
        String site = commonName(holder.getSubject());
        if (site == null) {
            throw new PkiException("the subject has no CN (site name)");
        }
        ASN1Encodable keyValue = extension(holder, SiteExtensions.WIREGUARD_PUBLIC_KEY);
        if (!(keyValue instanceof ASN1OctetString octets)
                || octets.getOctets().length != SiteExtensions.PUBLIC_KEY_BYTES) {
            throw new PkiException("the WireGuard public key extension (" + SiteExtensions.WIREGUARD_PUBLIC_KEY
                    + ") is missing or not " + SiteExtensions.PUBLIC_KEY_BYTES + " bytes");
        }
        byte[] spki = holder.getSubjectPublicKeyInfo().getPublicKeyData().getOctets();
        if (!java.util.Arrays.equals(spki, octets.getOctets())) {
            throw new PkiException("the WireGuard public key extension differs from the subject public key");
        }
        ASN1Encodable ipsValue = extension(holder, SiteExtensions.ALLOWED_IPS);
        if (!(ipsValue instanceof ASN1Sequence sequence)) {
            throw new PkiException("the allowed-ips extension (" + SiteExtensions.ALLOWED_IPS + ") is missing");
        }
        List<String> allowedIps = new ArrayList<>(sequence.size());
        for (ASN1Encodable item : sequence) {
            if (!(item instanceof DERUTF8String text)) {
                throw new PkiException("the allowed-ips extension holds something other than UTF8Strings");
            }
            allowedIps.add(text.getString());
        }
        return new SiteCertificate(site, octets.getOctets(), allowedIps, holder.getSerialNumber(),
                holder.getNotBefore().toInstant(), holder.getNotAfter().toInstant(), holder.getIssuer(), holder);
    }

    static X509CertificateHolder holder(String pem) throws PkiException {
        byte[] der = Pem.decode(pem, Pem.CERTIFICATE);
        try {
            return new X509CertificateHolder(der);
        } catch (IOException | RuntimeException e) {
            throw new PkiException("not an X.509 certificate: " + e.getMessage());
        }
    }

    static String commonName(X500Name name) {
        RDN[] cn = name.getRDNs(BCStyle.CN);
        if (cn.length != 1 || cn[0].isMultiValued()) {
            return null;
        }
        ASN1Encodable value = cn[0].getFirst().getValue();
        return value instanceof ASN1String text ? text.getString() : null;
    }

    private static ASN1Encodable extension(X509CertificateHolder holder, org.bouncycastle.asn1.ASN1ObjectIdentifier oid)
            throws PkiException {
        Extension extension = holder.getExtension(oid);
        if (extension == null) {
            return null;
        }
        try {
            return extension.getParsedValue();
        } catch (RuntimeException e) {
            throw new PkiException("extension " + oid + " is not valid DER");
        }
    }
}

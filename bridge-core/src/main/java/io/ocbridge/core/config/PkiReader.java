package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.pki.CertificateVerifier;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.SiteCertificate;
import io.ocbridge.crypto.pki.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * An overlay's site PKI as the config names it: its CA and CRL ({@code ca:}, {@code crl:}) read and checked, and each
 * {@code certificate:} (a peer's, or this site's own) verified against them at one instant and for a site name.
 */
final class PkiReader {
    /** CA certificates, site certificates and CRLs are a few KiB; a CRL of many thousand entries fits. */
    private static final int MAX_PKI_FILE_BYTES = 1 << 20;

    private final Path folder;
    private final Problems problems;
    /** The instant site certificates must be valid at. */
    private final Instant now;

    PkiReader(Path folder, Problems problems, Instant now) {
        this.folder = folder;
        this.problems = problems;
        this.now = now;
    }

    /** An overlay's site PKI: {@code verifier} is null when {@code ca:} or {@code crl:} could not be used (reported). */
    record Trust(Path ca, Path crl, CertificateVerifier verifier) {
    }

    /** What a verified certificate supplies for a peer; its allowed-ips point at the {@code certificate:} line. */
    record CertifiedPeer(Path file, String publicKey, List<Item<Cidr>> allowedIps, Instant notAfter) {
    }

    /** {@code ca:} and {@code crl:} of an overlay; null if there is no {@code ca:}. */
    Trust trust(MappingReader map) {
        Path ca = map.path("ca", false, folder);
        Path crl = map.path("crl", false, folder);
        if (map.value("ca") == null) {
            if (map.value("crl") != null) {
                problems.at(map.value("crl"), map.field("crl"), "needs ca: (the CA that signed this revocation list)");
            }
            return null;
        }
        String caPem = ca == null ? null : pemFile(map, "ca", ca);
        String crlPem = crl == null ? null : pemFile(map, "crl", crl);
        if (caPem == null || (map.value("crl") != null && crlPem == null)) {
            return new Trust(ca, crl, null);
        }
        try {
            CertificateVerifier.of(caPem, null);
        } catch (PkiException e) {
            problems.at(map.value("ca"), map.field("ca"), ca + ": " + e.getMessage());
            return new Trust(ca, crl, null);
        }
        try {
            return new Trust(ca, crl, CertificateVerifier.of(caPem, crlPem));
        } catch (PkiException e) {
            problems.at(map.value("crl"), map.field("crl"), crl + ": " + e.getMessage());
            return new Trust(ca, crl, null);
        }
    }

    /**
     * {@code certificate:} (a peer's, or on an overlay this site's own) checked against the overlay's CA (and CRL) at
     * {@link #now} and for site {@code name}; null if refused (reported).
     */
    CertifiedPeer certifiedPeer(MappingReader map, String name, Trust trust, String mismatchHint) {
        Node at = map.value("certificate");
        String field = map.field("certificate");
        Path file = map.path("certificate", false, folder);
        if (file == null) {
            return null;
        }
        if (trust == null) {
            problems.at(at, field, "needs the overlay to name ca: (the CA certificate to check it against)");
            return null;
        }
        String pem = pemFile(map, "certificate", file);
        if (pem == null || trust.verifier() == null) {
            return null;
        }
        Verdict verdict = trust.verifier().verify(pem, now);
        if (!verdict.ok()) {
            problems.at(at, field, verdict.message());
            return null;
        }
        SiteCertificate certificate = verdict.certificate();
        if (name != null && !certificate.site().equals(name)) {
            problems.at(at, field, "certificate is for site \"" + certificate.site() + "\", not \"" + name
                    + "\"; " + mismatchHint);
            return null;
        }
        List<Item<Cidr>> allowedIps = new ArrayList<>();
        for (String text : certificate.allowedIps()) {
            try {
                allowedIps.add(new Item<>(Cidr.parse(text), at, field));
            } catch (IllegalArgumentException e) {
                problems.at(at, field, "allowed-ips in the certificate: " + e.getMessage());
                return null;
            }
        }
        return new CertifiedPeer(file, Base64.getEncoder().encodeToString(certificate.publicKey()), allowedIps,
                certificate.notAfter());
    }


    /** The text of a PEM file (certificate or CRL, not a secret); null if unreadable (reported). */
    private String pemFile(MappingReader map, String key, Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_PKI_FILE_BYTES + 1);
            if (bytes.length > MAX_PKI_FILE_BYTES) {
                problems.at(map.value(key), map.field(key), path + ": larger than 1 MiB; not a certificate or CRL");
                return null;
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            problems.at(map.value(key), map.field(key), path + ": file not found");
        } catch (IOException e) {
            problems.at(map.value(key), map.field(key), path + ": cannot read: " + e.getMessage());
        }
        return null;
    }


    /** When the overlay's PKI runs out, as just read; null without {@code ca:} (or one that could not be used). */
    static PkiValidity validity(Trust trust, CertifiedPeer own) {
        if (trust == null || trust.verifier() == null) {
            return null;
        }
        return new PkiValidity(trust.verifier().caNotAfter(), trust.verifier().crlNextUpdate(),
                own == null ? null : own.notAfter());
    }

}

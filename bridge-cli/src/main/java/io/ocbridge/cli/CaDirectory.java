package io.ocbridge.cli;

import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.crypto.pki.CertificateAuthority;
import io.ocbridge.crypto.pki.PkiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The folder of a site CA, as {@code ocbridge ca init} lays it out: {@code ca.key} (PKCS#8 PEM, 0600),
 * {@code ca.crt} (the self-signed CA certificate) and {@code revoked.crl} (written by {@code cert revoke}).
 */
record CaDirectory(Path dir) {
    static final String KEY = "ca.key";
    static final String CERTIFICATE = "ca.crt";
    static final String CRL = "revoked.crl";

    Path key() {
        return dir.resolve(KEY);
    }

    Path certificate() {
        return dir.resolve(CERTIFICATE);
    }

    Path crl() {
        return dir.resolve(CRL);
    }

    /** The CA, its key read only if no one but the owner can access it. */
    CertificateAuthority load() throws IOException, PkiException {
        return CertificateAuthority.load(KeyFiles.readSecret(key()), Files.readString(certificate()));
    }

    /** Writes a public PEM file; refuses (FileAlreadyExistsException) if it exists. */
    static void createPublic(Path file, String pem) throws IOException {
        Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Replaces a public PEM file atomically, so a daemon reloading at that moment reads the old or the new one. */
    static void replacePublic(Path file, String pem) throws IOException {
        KeyFiles.replaceAtomically(file, pem);
    }
}

package io.ocbridge.crypto.pki;

/** PEM or DER input that is not what it claims to be (not a key, certificate or CRL of ours). */
public final class PkiException extends Exception {

    public PkiException(String message) {
        super(message, null, false, false);
    }
}

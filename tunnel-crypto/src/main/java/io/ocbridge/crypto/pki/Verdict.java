package io.ocbridge.crypto.pki;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The outcome of checking one site certificate: {@link #ok()} or a {@link Reason} with a one-line
 * {@link #message()} such as {@code expired on 2026-01-01T00:00:00Z}. {@code certificate} is what the
 * certificate claims (null if it could not be read); only believe it when {@link #ok()}.
 */
public record Verdict(Reason reason, String message, SiteCertificate certificate) {

    /** Why a certificate is refused. */
    public enum Reason {
        MALFORMED, UNTRUSTED_ISSUER, BAD_SIGNATURE, NOT_YET_VALID, EXPIRED, REVOKED, CA_NOT_VALID, CRL_EXPIRED
    }

    static Verdict ok(SiteCertificate certificate) {
        return new Verdict(null, "ok", certificate);
    }

    static Verdict refused(Reason reason, String message, SiteCertificate certificate) {
        return new Verdict(reason, message, certificate);
    }

    public boolean ok() {
        return reason == null;
    }

    /** An instant as messages show it: UTC, to the second. */
    static String when(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

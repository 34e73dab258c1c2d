package io.ocbridge.core.daemon;

import io.ocbridge.core.counters.EnumCounters;

/** Why a running daemon stopped admitting a configured peer; {@link #label()} is how status, logs and metrics say it. */
enum RefusalReason {
    /** The peer's site certificate passed its notAfter. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** The CA certificate that vouches for the peer passed its notAfter. */
    CA_EXPIRED("ca-expired"),
    /** The CRL passed its next update: no certificate of the overlay can be checked for revocation any more. */
    CRL_EXPIRED("crl-expired");

    private final String label;

    RefusalReason(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Refusals by reason; written on the overlay's event loop, readable from any thread (metrics). */
    static final class Counters extends EnumCounters<RefusalReason> {
        Counters() {
            super(RefusalReason.class);
        }
    }
}

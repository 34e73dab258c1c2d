package io.ocbridge.core.config;

import java.time.Instant;

/**
 * When an overlay's site PKI stops vouching, as the config load read it: the CA certificate's end of validity, the
 * CRL's next update (null without a CRL, or when it names none) and the end of this site's own certificate (null
 * without {@code certificate:} on the overlay). The daemon acts on these instants while it runs.
 */
public record PkiValidity(Instant caNotAfter, Instant crlNextUpdate, Instant ownNotAfter) {
}

package io.ocbridge.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An overlay's site PKI as meters: seconds until each certificate ends ({@code kind="peer"} per peer, {@code
 * kind="own"} for this site's, {@code peer} then being the site name), until the CRL's next update, and peers refused
 * by reason. Gauges compute from the config's instants at scrape time; negative once passed. Never a key or serial.
 */
public final class CertificateMeters {
    private CertificateMeters() {
    }

    /** {@code refusals}: a count per reason label, readable from the scrape thread. */
    public static void bind(MeterRegistry registry, Tags overlayTags, String site, OverlayConfig config, Clock clock,
            Map<String, LongSupplier> refusals) {
        if (config.pki() == null) {
            return;
        }
        for (PeerConfig peer : config.peers()) {
            if (peer.certificateNotAfter() != null) {
                expiry(registry, overlayTags.and("kind", "peer", "peer", peer.name()), peer.certificateNotAfter(), clock);
            }
        }
        if (config.pki().ownNotAfter() != null) {
            expiry(registry, overlayTags.and("kind", "own", "peer", site), config.pki().ownNotAfter(), clock);
        }
        Instant nextUpdate = config.pki().crlNextUpdate();
        if (nextUpdate != null) {
            Gauge.builder("ocbridge.crl.next.update", () -> secondsUntil(nextUpdate, clock)).baseUnit("seconds")
                    .description("Seconds until the CRL's next update; past it every certificate of the overlay is refused")
                    .tags(overlayTags).register(registry);
        }
        refusals.forEach((reason, count) -> FunctionCounter.builder("ocbridge.peers.refused", count,
                        LongSupplier::getAsLong)
                .description("Peers the site PKI refused while the daemon ran, by reason")
                .tags(overlayTags.and("reason", reason)).register(registry));
    }

    private static void expiry(MeterRegistry registry, Tags tags, Instant notAfter, Clock clock) {
        Gauge.builder("ocbridge.certificate.expiry", () -> secondsUntil(notAfter, clock)).baseUnit("seconds")
                .description("Seconds until the site certificate's notAfter; negative once expired")
                .tags(tags).register(registry);
    }

    private static double secondsUntil(Instant deadline, Clock clock) {
        return (deadline.toEpochMilli() - clock.millis()) / 1000.0;
    }
}

package io.ocbridge.core.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.PkiValidity;
import io.ocbridge.core.route.Cidr;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class CertificateMetersTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void secondsUntilEachCertificateAndTheCrlAndRefusalsByReason() {
        PeerConfig certified = new PeerConfig("cloud-a", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", null, null,
                List.of(Cidr.parse("10.77.0.2/32")), 0, null, Path.of("cloud-a.crt"), NOW.plusSeconds(600));
        PeerConfig byKey = new PeerConfig("branch", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=", null, null,
                List.of(Cidr.parse("10.77.0.3/32")), 0);
        OverlayConfig overlay = new OverlayConfig("corp", "ocb-corp", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420,
                List.of(certified, byKey), List.of(), Path.of("ca.crt"), Path.of("revoked.crl"), Path.of("dc-east.crt"),
                new PkiValidity(NOW.plus(Duration.ofDays(3650)), NOW.plus(Duration.ofDays(30)), NOW.minusSeconds(5)), 0, null);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CertificateMeters.bind(registry, Tags.of("site", "dc-east", "overlay", "corp"), "dc-east", overlay,
                Clock.fixed(NOW, ZoneOffset.UTC), Map.of("certificate-expired", (LongSupplier) () -> 1L,
                        "crl-expired", (LongSupplier) () -> 0L));
        String body = registry.scrape();
        assertTrue(body.contains("ocbridge_certificate_expiry_seconds{kind=\"peer\",overlay=\"corp\",peer=\"cloud-a\","
                + "site=\"dc-east\"} 600.0"), body);
        assertTrue(body.contains("ocbridge_certificate_expiry_seconds{kind=\"own\",overlay=\"corp\",peer=\"dc-east\","
                + "site=\"dc-east\"} -5.0"), body);
        assertFalse(body.contains("peer=\"branch\""), "a peer given by key has no certificate");
        assertTrue(body.contains("ocbridge_crl_next_update_seconds{overlay=\"corp\",site=\"dc-east\"} 2592000.0"), body);
        assertTrue(body.contains("ocbridge_peers_refused_total{overlay=\"corp\",reason=\"certificate-expired\","
                + "site=\"dc-east\"} 1.0"), body);
    }
}

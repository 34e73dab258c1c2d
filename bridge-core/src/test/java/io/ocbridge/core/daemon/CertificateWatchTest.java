package io.ocbridge.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.PkiValidity;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The site PKI's deadlines while the daemon runs, on a faked clock: refusals at the instant, warnings ahead. */
class CertificateWatchTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant CA_END = T0.plus(Duration.ofDays(3650));
    static final String KEY_A = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    static final String KEY_B = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
    static final String KEY_C = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

    /** Nanoseconds since T0; its wall clock reads T0 plus them. */
    final ManualClock elapsedNanos = new ManualClock(0, T0.getEpochSecond());
    final List<String> removed = new ArrayList<>();
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void captureLog() {
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        Log.setOutput(System.err);
    }

    static PeerConfig certified(String name, String key, Instant notAfter) {
        return new PeerConfig(name, key, null, null, List.of(Cidr.parse("10.77.0." + (key.charAt(1) - 'A' + 2) + "/32")), 0, null,
                Path.of(name + ".crt"), notAfter);
    }

    static OverlayConfig overlay(PkiValidity pki, PeerConfig... peers) {
        return new OverlayConfig("corp", "ocb-corp", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420, List.of(peers),
                List.of(), Path.of("ca.crt"), pki.crlNextUpdate() == null ? null : Path.of("revoked.crl"),
                pki.ownNotAfter() == null ? null : Path.of("dc-east.crt"), pki, 0, null);
    }

    CertificateWatch watch(OverlayConfig config) {
        return new CertificateWatch("dc-east", config, peer -> removed.add(peer), elapsedNanos.wall(), Log.with("site=dc-east overlay=corp"));
    }

    void at(Duration sinceT0) {
        elapsedNanos.set(sinceT0.toNanos());
    }

    String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void peerIsRemovedAtItsCertificatesEndAndNotBefore() {
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofMinutes(5))),
                certified("cloud-b", KEY_B, T0.plus(Duration.ofDays(365)))));
        at(Duration.ofMinutes(4));
        watch.check();
        at(Duration.ofMinutes(5));  // notAfter itself is still inside the validity, as the verifier has it
        watch.check();
        assertEquals(List.of(), removed);
        assertEquals(List.of(), watch.refused());

        at(Duration.ofMinutes(5).plusSeconds(1));
        watch.check();
        assertEquals(List.of("cloud-a"), removed);
        CertificateWatch.Refusal refusal = watch.refused().getFirst();
        assertEquals(RefusalReason.CERTIFICATE_EXPIRED, refusal.reason());
        assertEquals(T0.plus(Duration.ofMinutes(5)), refusal.deadline());
        assertEquals(List.of(new OverlayStatus.RefusedPeer("cloud-a", "certificate-expired",
                T0.plusSeconds(301).getEpochSecond())), watch.refusedStatus());
        assertEquals(1, watch.counters().get(RefusalReason.CERTIFICATE_EXPIRED));
        assertEquals(1, log().lines().filter(l -> l.contains("peer-refused")).count(), log());
        assertTrue(log().contains("WARN peer-refused site=dc-east overlay=corp peer=cloud-a reason=certificate-expired "
                + "deadline=2026-01-01T00:05:00Z action=removed"), log());

        at(Duration.ofMinutes(10));
        watch.check();
        assertEquals(List.of("cloud-a"), removed, "refused once");
        assertEquals(1, watch.counters().get(RefusalReason.CERTIFICATE_EXPIRED));
    }

    @Test
    void crlPastItsNextUpdateRefusesEveryCertifiedPeerButNotKeyPeers() {
        PeerConfig byKey = new PeerConfig("branch", KEY_C, null, null, List.of(Cidr.parse("10.77.0.9/32")), 0);
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, T0.plus(Duration.ofMinutes(2)), null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofDays(365))),
                certified("cloud-b", KEY_B, T0.plus(Duration.ofDays(365))), byKey));
        at(Duration.ofMinutes(2));
        watch.check();
        assertEquals(List.of(), removed);
        at(Duration.ofMinutes(2).plusMillis(1500));
        watch.check();
        assertEquals(List.of("cloud-a", "cloud-b"), removed);
        assertTrue(watch.refused().stream().allMatch(r -> r.reason() == RefusalReason.CRL_EXPIRED));
        assertEquals(2, watch.counters().get(RefusalReason.CRL_EXPIRED));
        assertEquals("expired", watch.status(T0.plus(Duration.ofMinutes(3))).crlState());
    }

    @Test
    void caPastItsEndRefusesWithItsOwnReason() {
        CertificateWatch watch = watch(overlay(new PkiValidity(T0.plus(Duration.ofHours(1)), null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofDays(365)))));
        at(Duration.ofHours(2));
        watch.check();
        assertEquals(RefusalReason.CA_EXPIRED, watch.refused().getFirst().reason());
    }

    @Test
    void warnsWithinFourteenDaysOnceADay() {
        Instant end = T0.plus(Duration.ofDays(20));
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, null, null), certified("cloud-a", KEY_A, end)));
        at(Duration.ofDays(5));
        watch.check();
        assertFalse(log().contains("certificate-expiring"), log());
        assertEquals("valid", watch.status(T0.plus(Duration.ofDays(5))).certificates().getFirst().state());

        at(Duration.ofDays(6).plusSeconds(1));
        watch.check();
        assertTrue(log().contains("WARN certificate-expiring site=dc-east overlay=corp peer=cloud-a "
                + "deadline=2026-01-21T00:00:00Z seconds-left=1209599"), log());
        at(Duration.ofDays(6).plusHours(23));
        watch.check();
        assertEquals(1, log().lines().filter(l -> l.contains("certificate-expiring")).count(), "once a day");
        at(Duration.ofDays(7).plusSeconds(2));
        watch.check();
        assertEquals(2, log().lines().filter(l -> l.contains("certificate-expiring")).count(), log());
        assertEquals("expiring", watch.status(T0.plus(Duration.ofDays(7))).certificates().getFirst().state());
        assertEquals(List.of(), removed);
    }

    @Test
    void crlIsWarnedAboutThreeDaysAhead() {
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, T0.plus(Duration.ofDays(30)), null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofDays(365)))));
        at(Duration.ofDays(26));
        watch.check();
        assertFalse(log().contains("crl-expiring"), log());
        assertEquals("valid", watch.status(T0.plus(Duration.ofDays(26))).crlState());
        at(Duration.ofDays(27).plusSeconds(1));
        watch.check();
        assertTrue(log().contains("WARN crl-expiring site=dc-east overlay=corp deadline=2026-01-31T00:00:00Z"), log());
        assertEquals("expiring", watch.status(T0.plus(Duration.ofDays(28))).crlState());
    }

    @Test
    void ourOwnExpiredCertificateIsAnErrorADayAndRemovesNobody() {
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, null, T0.plus(Duration.ofMinutes(1))),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofDays(365)))));
        at(Duration.ofSeconds(59));
        watch.check();
        assertTrue(log().contains("WARN own-certificate-expiring site=dc-east overlay=corp site=dc-east"), log());
        assertFalse(log().contains("own-certificate-expired"), log());
        at(Duration.ofSeconds(61));
        watch.check();
        at(Duration.ofHours(2));
        watch.check();
        assertEquals(1, log().lines().filter(l -> l.contains("ERROR own-certificate-expired")).count(), log());
        assertTrue(log().contains("deadline=2026-01-01T00:01:00Z effect=peers-refuse-this-site"), log());
        assertEquals(List.of(), removed);
        OverlayStatus.Pki status = watch.status(T0.plus(Duration.ofHours(2)));
        assertEquals(new OverlayStatus.CertificateExpiry("dc-east", T0.plusSeconds(60).getEpochSecond(), "expired"),
                status.own());
        at(Duration.ofDays(1).plusHours(2));
        watch.check();
        assertEquals(2, log().lines().filter(l -> l.contains("ERROR own-certificate-expired")).count(), log());
    }

    @Test
    void reloadWithRenewedCertificateReadmitsThePeer() {
        OverlayConfig first = overlay(new PkiValidity(CA_END, null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofMinutes(5))));
        CertificateWatch watch = watch(first);
        at(Duration.ofMinutes(6));
        watch.check();
        assertEquals(1, watch.refused().size());

        OverlayConfig renewed = overlay(new PkiValidity(CA_END, null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofMinutes(30))));
        watch.reloaded(renewed, Set.of("cloud-a"));
        assertEquals(List.of(), watch.refused());
        at(Duration.ofMinutes(29));
        watch.check();
        assertEquals(List.of("cloud-a"), removed, "not refused again before the renewed end");
        at(Duration.ofMinutes(31));
        watch.check();
        assertEquals(List.of("cloud-a", "cloud-a"), removed);
    }

    @Test
    void reloadKeepsRefusalsItDidNotReadmit() {
        CertificateWatch watch = watch(overlay(new PkiValidity(CA_END, null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofMinutes(5))),
                certified("cloud-b", KEY_B, T0.plus(Duration.ofMinutes(5)))));
        at(Duration.ofMinutes(6));
        watch.check();
        // cloud-b went from the config; cloud-a was refused after the reload read the refusals (not added again).
        watch.reloaded(overlay(new PkiValidity(CA_END, null, null),
                certified("cloud-a", KEY_A, T0.plus(Duration.ofDays(1)))), Set.of());
        assertEquals(List.of("cloud-a"), watch.refused().stream().map(CertificateWatch.Refusal::peer).toList());
    }

    @Test
    void noPkiNoStatus() {
        CertificateWatch watch = watch(new OverlayConfig("corp", "ocb-corp", 0, List.of(Cidr.parse("10.77.0.1/24")),
                1420, List.of()));
        watch.check();
        assertNull(watch.status(T0));
    }
}

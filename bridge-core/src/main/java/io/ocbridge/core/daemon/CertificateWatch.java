package io.ocbridge.core.daemon;

import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.PkiValidity;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds an overlay to its site PKI while the daemon runs. The config load checked every certificate once; from then
 * on a peer whose certificate, CA or CRL runs out is refused at that moment, fail closed: removed through
 * {@link Remover} (the reload's removal: keys zeroed, indexes freed), logged once, counted, listed in status, until a
 * reload brings a renewed certificate or a fresh CRL. Certificates close to their end are warned about once a day.
 *
 * <p>Our own certificate ({@code certificate:} on the overlay) is only watched: peers check it, not we. Past its end
 * they refuse us, so there is nothing to protect by tearing our side down; we say so loudly (an error line once a
 * day, status, metric) instead.
 *
 * <p>Event loop only, except {@link #refused()}, {@link #config()} and {@link #counters()}, which publish immutable
 * snapshots or atomic counts for any thread. {@link #check()} is cheap until the next instant that matters.
 */
final class CertificateWatch {
    /** A certificate (ours, a peer's, the CA's) this close to its end is warned about. */
    static final Duration CERTIFICATE_WARNING = Duration.ofDays(14);
    /**
     * A CRL this close to its next update is warned about. Shorter than for certificates, since CRLs are re-signed
     * often (`cert revoke` makes them good for 30 days by default) and would otherwise always be "expiring".
     */
    static final Duration CRL_WARNING = Duration.ofDays(3);
    /** How often the same warning is repeated. */
    static final Duration WARNING_INTERVAL = Duration.ofDays(1);

    /** Removes a running peer (from the segments that carry it first). Event loop. */
    @FunctionalInterface
    interface Remover {
        void remove(String peer);
    }

    /** A peer refused at {@code since} because of {@code reason}; {@code deadline} is the instant it passed. */
    record Refusal(String peer, RefusalReason reason, Instant since, Instant deadline) {}

    private final String site;
    private final Remover remover;
    private final Clock clock;
    private final Log log;
    private final RefusalReason.Counters counters = new RefusalReason.Counters();
    private volatile OverlayConfig config;
    /** Refused peers by name, in the order refused. Event loop. */
    private final Map<String, Refusal> refused = new LinkedHashMap<>();
    private volatile List<Refusal> published = List.of();
    /** Peers past their deadline that could not be removed (L2 segment members); said once. Event loop. */
    /** When each warning may be repeated, by what it is about and that thing's deadline. Event loop. */
    private final Map<String, Instant> nextWarning = new HashMap<>();
    /** Before this instant nothing can be due: {@link #check()} returns at once. Event loop. */
    private Instant nextCheck = Instant.MIN;

    CertificateWatch(String site, OverlayConfig config, Remover remover, Clock clock, Log log) {
        this.site = site;
        this.config = config;
        this.remover = remover;
        this.clock = clock;
        this.log = log;
    }

    /** Refuses whatever ran out and warns about what is about to. Event loop, e.g. once a second. */
    void check() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = scan(now);
    }

    /**
     * A reload applied {@code next}, which the loader verified at its instant: {@code readmitted} (refused before,
     * added again by the reload) and peers no longer configured are not refused any more. Event loop.
     */
    void reloaded(OverlayConfig next, Set<String> readmitted) {
        config = next;
        Set<String> configured = new HashSet<>();
        next.peers().forEach(peer -> configured.add(peer.name()));
        refused.keySet().removeIf(name -> readmitted.contains(name) || !configured.contains(name));
        published = List.copyOf(refused.values());
        nextCheck = Instant.MIN;
        check();
    }

    /** One pass over every deadline; returns the next instant something can be due. */
    private Instant scan(Instant now) {
        PkiValidity pki = config.pki();
        if (pki == null) {
            return Instant.MAX;
        }
        Instant next = Instant.MAX;
        Set<String> warnings = new HashSet<>();
        for (PeerConfig peer : config.peers()) {
            if (peer.certificateNotAfter() == null || refused.containsKey(peer.name())) {
                continue;
            }
            RefusalReason reason = reason(peer, pki, now);
            if (reason != null) {
                refuse(peer.name(), reason, deadline(peer, pki, reason), now);
                continue;
            }
            next = earliest(next, firstDeadline(peer, pki).plusNanos(1));  // refused once strictly after, as verified
            next = earliest(next, warn("peer:" + peer.name(), peer.certificateNotAfter(), CERTIFICATE_WARNING, now,
                    warnings, "certificate-expiring", "peer=" + peer.name()));
        }
        next = earliest(next, warn("ca", pki.caNotAfter(), CERTIFICATE_WARNING, now, warnings, "ca-expiring", ""));
        if (pki.crlNextUpdate() != null) {
            next = earliest(next, warn("crl", pki.crlNextUpdate(), CRL_WARNING, now, warnings, "crl-expiring", ""));
        }
        if (pki.ownNotAfter() != null) {
            next = earliest(next, warnOwn(pki.ownNotAfter(), now, warnings));
        }
        nextWarning.keySet().retainAll(warnings);
        return next;
    }

    /** Why {@code peer} is refused at {@code now}, in the verifier's order (CA, certificate, CRL); null if it is not. */
    private static RefusalReason reason(PeerConfig peer, PkiValidity pki, Instant now) {
        if (now.isAfter(pki.caNotAfter())) {
            return RefusalReason.CA_EXPIRED;
        }
        if (now.isAfter(peer.certificateNotAfter())) {
            return RefusalReason.CERTIFICATE_EXPIRED;
        }
        if (pki.crlNextUpdate() != null && now.isAfter(pki.crlNextUpdate())) {
            return RefusalReason.CRL_EXPIRED;
        }
        return null;
    }

    private static Instant deadline(PeerConfig peer, PkiValidity pki, RefusalReason reason) {
        return switch (reason) {
            case CA_EXPIRED -> pki.caNotAfter();
            case CERTIFICATE_EXPIRED -> peer.certificateNotAfter();
            case CRL_EXPIRED -> pki.crlNextUpdate();
        };
    }

    private static Instant firstDeadline(PeerConfig peer, PkiValidity pki) {
        Instant first = earliest(pki.caNotAfter(), peer.certificateNotAfter());
        return pki.crlNextUpdate() == null ? first : earliest(first, pki.crlNextUpdate());
    }

    private void refuse(String peer, RefusalReason reason, Instant deadline, Instant now) {
        counters.increment(reason);
        remover.remove(peer);
        refused.put(peer, new Refusal(peer, reason, now, deadline));
        published = List.copyOf(refused.values());
        log.warn("peer-refused", "peer=" + peer + " reason=" + reason.label() + " deadline=" + when(deadline)
                + " action=removed");
    }

    /**
     * Warns (once per {@link #WARNING_INTERVAL}) about {@code key} if {@code deadline} is within {@code window} and
     * not yet past; returns when this warning can next be due.
     */
    private Instant warn(String key, Instant deadline, Duration window, Instant now, Set<String> warnings,
            String event, String fields) {
        Instant from = deadline.minus(window);
        if (now.isBefore(from)) {
            return from;
        }
        if (now.isAfter(deadline)) {
            return Instant.MAX;  // refused by then (peers) or said as an error (ours); the status shows it
        }
        return repeat(key + "@" + deadline, now, warnings, () -> log.warn(event, (fields.isEmpty() ? "" : fields + " ")
                + "deadline=" + when(deadline) + " seconds-left=" + Duration.between(now, deadline).toSeconds()));
    }

    /** Our own certificate: a warning before its end, then an error a day, for as long as it stays expired. */
    private Instant warnOwn(Instant notAfter, Instant now, Set<String> warnings) {
        if (!now.isAfter(notAfter)) {
            return earliest(notAfter.plusNanos(1), warn("own", notAfter, CERTIFICATE_WARNING, now, warnings,
                    "own-certificate-expiring", "site=" + site));
        }
        return repeat("own-expired@" + notAfter, now, warnings, () -> log.error("own-certificate-expired",
                "deadline=" + when(notAfter) + " effect=peers-refuse-this-site"));
    }

    private Instant repeat(String key, Instant now, Set<String> warnings, Runnable say) {
        warnings.add(key);
        Instant due = nextWarning.getOrDefault(key, Instant.MIN);
        if (now.isBefore(due)) {
            return due;
        }
        say.run();
        Instant again = now.plus(WARNING_INTERVAL);
        nextWarning.put(key, again);
        return again;
    }

    /** The PKI part of the status at {@code now}; null without {@code ca:}. Any thread (reads the published config). */
    OverlayStatus.Pki status(Instant now) {
        OverlayConfig running = config;
        PkiValidity pki = running.pki();
        if (pki == null) {
            return null;
        }
        List<OverlayStatus.CertificateExpiry> certificates = new ArrayList<>();
        for (PeerConfig peer : running.peers()) {
            if (peer.certificateNotAfter() != null) {
                certificates.add(expiry(peer.name(), peer.certificateNotAfter(), CERTIFICATE_WARNING, now));
            }
        }
        OverlayStatus.CertificateExpiry own = pki.ownNotAfter() == null ? null
                : expiry(site, pki.ownNotAfter(), CERTIFICATE_WARNING, now);
        return new OverlayStatus.Pki(pki.caNotAfter().getEpochSecond(),
                pki.crlNextUpdate() == null ? 0 : pki.crlNextUpdate().getEpochSecond(),
                pki.crlNextUpdate() == null ? null : state(pki.crlNextUpdate(), CRL_WARNING, now), own, certificates);
    }

    /** The refused peers as status lists them. Any thread. */
    List<OverlayStatus.RefusedPeer> refusedStatus() {
        return published.stream().map(r -> new OverlayStatus.RefusedPeer(r.peer(), r.reason().label(),
                r.since().getEpochSecond())).toList();
    }

    private static OverlayStatus.CertificateExpiry expiry(String name, Instant notAfter, Duration window, Instant now) {
        return new OverlayStatus.CertificateExpiry(name, notAfter.getEpochSecond(), state(notAfter, window, now));
    }

    /** {@code expired}, {@code expiring} (within {@code window}) or {@code valid}. */
    static String state(Instant deadline, Duration window, Instant now) {
        if (now.isAfter(deadline)) {
            return "expired";
        }
        return now.isBefore(deadline.minus(window)) ? "valid" : "expiring";
    }

    /** The refused peers now. Any thread. */
    List<Refusal> refused() {
        return published;
    }

    /** The config whose deadlines are watched (the last reload's). Any thread. */
    OverlayConfig config() {
        return config;
    }

    RefusalReason.Counters counters() {
        return counters;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String when(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

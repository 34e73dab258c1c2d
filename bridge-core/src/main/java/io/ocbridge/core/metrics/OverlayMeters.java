package io.ocbridge.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.ocbridge.core.overlay.DropCounters;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.peer.Peer;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Registers one overlay's counters as meters. Every meter reads counters the data path already keeps (atomic or
 * volatile, readable from any thread) at scrape time: nothing is added to the hot path. Tags: {@code site},
 * {@code overlay}, {@code peer}, {@code reason}, {@code event}; never a key.
 */
public final class OverlayMeters {
    private OverlayMeters() {
    }

    /** {@code peers} must be the overlay's peers, listed on its event loop. */
    public static void bind(MeterRegistry registry, Tags overlayTags, List<Peer> peers, DropCounters drops,
            HandshakeCounters handshakes, Clock clock) {
        for (Peer peer : peers) {
            Tags tags = overlayTags.and("peer", peer.name());
            FunctionCounter.builder("ocbridge.peer.rx", peer, Peer::rxBytes).baseUnit(BaseUnits.BYTES)
                    .description("Bytes received from the peer (WireGuard transport messages)")
                    .tags(tags).register(registry);
            FunctionCounter.builder("ocbridge.peer.tx", peer, Peer::txBytes).baseUnit(BaseUnits.BYTES)
                    .description("Bytes sent to the peer (WireGuard transport messages)")
                    .tags(tags).register(registry);
            FunctionCounter.builder("ocbridge.peer.rx.packets", peer, Peer::rxPackets)
                    .description("Transport messages received from the peer, keepalives included")
                    .tags(tags).register(registry);
            FunctionCounter.builder("ocbridge.peer.tx.packets", peer, Peer::txPackets)
                    .description("Transport messages sent to the peer, keepalives included")
                    .tags(tags).register(registry);
            Gauge.builder("ocbridge.peer.latest.handshake.age", peer, p -> ageSeconds(p, clock))
                    .baseUnit("seconds")
                    .description("Seconds since the latest completed handshake; NaN if there has been none")
                    .tags(tags).register(registry);
        }
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("ocbridge.drops", drops, d -> d.get(reason))
                    .description("Packets dropped, by reason")
                    .tags(overlayTags.and("reason", reason.name().toLowerCase(Locale.ROOT))).register(registry);
        }
        for (HandshakeCounters.Event event : HandshakeCounters.Event.values()) {
            FunctionCounter.builder("ocbridge.handshakes", handshakes, h -> h.get(event))
                    .description("Handshake events")
                    .tags(overlayTags.and("event", event.name().toLowerCase(Locale.ROOT))).register(registry);
        }
    }

    /**
     * {@code ocbridge_offload_enabled{offload=device|udp_gso|udp_gro}}: 1 while the offload is in use. {@code offloads}
     * is read on the scrape thread and must be safe there; a drop of udp_gso to 0 means the kernel refused a GSO send.
     */
    public static void bindOffloads(MeterRegistry registry, Tags overlayTags, Supplier<OverlayStatus.Offloads> offloads) {
        Map<String, Predicate<OverlayStatus.Offloads>> inUse = Map.of("device", OverlayStatus.Offloads::device,
                "udp_gso", OverlayStatus.Offloads::udpGso, "udp_gro", OverlayStatus.Offloads::udpGro);
        inUse.forEach((offload, on) -> Gauge.builder("ocbridge.offload.enabled", () -> on.test(offloads.get()) ? 1 : 0)
                .description("1 while the kernel offload is in use").tags(overlayTags.and("offload", offload))
                .register(registry));
    }

    private static double ageSeconds(Peer peer, Clock clock) {
        long latest = peer.lastHandshakeEpochMillis();
        return latest == 0 ? Double.NaN : Math.max(0, clock.millis() - latest) / 1000.0;
    }
}

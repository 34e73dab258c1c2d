package io.ocbridge.it;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import java.util.Collection;

/** The drop and handshake counters of a running daemon's only overlay, read through {@code ocbridge status --json}. */
final class OverlayCounters {
    private OverlayCounters() {}

    static OverlayStatus read(OcbridgeDaemon daemon, Netns gateway) {
        return StatusJson.read(SegmentCounters.statusJson(daemon, gateway).strip()).overlays().getFirst();
    }

    static long drops(OverlayStatus before, OverlayStatus after, DropReason reason) {
        return after.drops().getOrDefault(reason, 0L) - before.drops().getOrDefault(reason, 0L);
    }

    static long drops(OverlayStatus before, OverlayStatus after, Collection<DropReason> reasons) {
        return reasons.stream().mapToLong(r -> drops(before, after, r)).sum();
    }

    static long handshakes(OverlayStatus before, OverlayStatus after, HandshakeCounters.Event event) {
        return after.handshakes().getOrDefault(event, 0L) - before.handshakes().getOrDefault(event, 0L);
    }

    /** The non-zero drop counters that grew between the snapshots, {@code name=delta} in enum order. */
    static String dropDeltas(OverlayStatus before, OverlayStatus after) {
        var out = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long d = drops(before, after, r);
            if (d != 0) {
                out.append(out.isEmpty() ? "" : " ").append(r.name().toLowerCase()).append('=').append(d);
            }
        }
        return out.isEmpty() ? "none" : out.toString();
    }
}

package io.ocbridge.core.control;

import io.ocbridge.core.overlay.OverlayStatus;
import java.util.List;

/** What {@code status} answers: the site, the daemon's clock when the snapshot was taken, and every overlay. */
public record SiteStatus(String site, long epochSeconds, List<OverlayStatus> overlays) {
    public SiteStatus {
        overlays = List.copyOf(overlays);
    }
}

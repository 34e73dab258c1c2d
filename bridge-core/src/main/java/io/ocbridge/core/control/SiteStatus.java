package io.ocbridge.core.control;

import io.ocbridge.core.overlay.OverlayStatus;
import java.util.List;

/**
 * What {@code status} answers: the site, the daemon's clock when the snapshot was taken, every overlay, and the HA
 * role ({@code active} or {@code standby}; always active without HA, when {@code followAddress} is null).
 */
public record SiteStatus(String site, long epochSeconds, List<OverlayStatus> overlays, String role,
        String followAddress) {
    public SiteStatus {
        overlays = List.copyOf(overlays);
    }

    /** A site without HA. */
    public SiteStatus(String site, long epochSeconds, List<OverlayStatus> overlays) {
        this(site, epochSeconds, overlays, "active", null);
    }
}

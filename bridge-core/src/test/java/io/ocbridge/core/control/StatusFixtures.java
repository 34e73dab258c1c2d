package io.ocbridge.core.control;

import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.PeerStatus;
import io.ocbridge.core.overlay.OverlayStatus.Session;
import java.util.List;
import java.util.Map;

/** A fixed status snapshot for tests. */
public final class StatusFixtures {
    public static final long NOW = 1_767_225_600L;
    public static final String OVERLAY_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    public static final String PEER_KEY = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";

    private StatusFixtures() {
    }

    public static SiteStatus site() {
        return new SiteStatus("dc-east", NOW, List.of(new OverlayStatus("corp", "ocb-corp", 51820, OVERLAY_KEY,
                List.of(
                        new PeerStatus("cloud-a", PEER_KEY, "192.0.2.2:51820", List.of("10.77.0.2/32", "172.20.0.0/16"),
                                NOW - 12, 1_258_291, 3_565_158, Session.ESTABLISHED, 25, 1_021, 2_644),
                        new PeerStatus("cloud-b", "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA=", null,
                                List.of("10.77.0.3/32"), 0, 0, 0, Session.NONE, 0)),
                Map.of(DropReason.NO_ROUTE, 3L, DropReason.REPLAY, 1L),
                Map.of(Event.INITIATION_SENT, 2L, Event.COMPLETED, 1L), List.of(),
                new OverlayStatus.Offloads(true, false, true))));
    }
}

package io.ocbridge.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.l2.SegmentCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.SegmentStatus;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code segments} array of each overlay in the status document. */
class SegmentStatusJsonTest {
    private static SiteStatus withSegment() {
        OverlayStatus base = StatusFixtures.site().overlays().get(0);
        Map<SegmentCounters.Event, Long> counters = new EnumMap<>(SegmentCounters.Event.class);
        for (SegmentCounters.Event e : SegmentCounters.Event.values()) {
            counters.put(e, 0L);
        }
        counters.put(SegmentCounters.Event.ARP_SUPPRESSED, 7L);
        counters.put(SegmentCounters.Event.DROP_FLOOD_LIMIT, 2L);
        SegmentStatus lan = new SegmentStatus("lan", 100, "ocb-lan", 3, counters, List.of("cloud-a", "cloud-b"));
        return new SiteStatus("dc-east", StatusFixtures.NOW, List.of(new OverlayStatus(base.name(), base.device(),
                base.listenPort(), base.publicKey(), base.peers(), base.drops(), base.handshakes(), List.of(lan))));
    }

    @Test
    void segmentFieldNames() {
        String json = StatusJson.write(withSegment());
        assertTrue(json.contains("\"segments\":[{\"name\":\"lan\",\"vni\":100,\"device\":\"ocb-lan\","
                + "\"mac_table_size\":3,\"members\":[\"cloud-a\",\"cloud-b\"],\"counters\":{\"local_frames\":0,"), json);
        assertTrue(json.contains("\"arp_suppressed\":7"), json);
        assertTrue(json.contains("\"drop_flood_limit\":2"), json);
        assertTrue(StatusJson.write(StatusFixtures.site()).contains("\"segments\":[]"));
    }

    @Test
    void segmentsRoundTrip() {
        SiteStatus site = withSegment();
        SegmentStatus read = StatusJson.read(StatusJson.write(site)).overlays().get(0).segments().get(0);
        assertEquals(site.overlays().get(0).segments().get(0), read);
        assertEquals(List.of(), StatusJson.read(StatusJson.write(StatusFixtures.site())).overlays().get(0).segments());
    }
}

package io.ocbridge.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters;
import java.util.List;
import java.util.Locale;

/**
 * Registers L2 segment meters: {@code ocbridge_segment_frames_total{segment,event}} and
 * {@code ocbridge_segment_mac_table_size{segment}}. Reads only counters and the published table
 * size, which any thread may read; nothing is added to the hot path.
 */
public final class SegmentMeters {
    private SegmentMeters() {
    }

    /** {@code segments} must be the overlay's segments, listed on its event loop. */
    public static void bind(MeterRegistry registry, Tags overlayTags, List<Segment> segments) {
        for (Segment segment : segments) {
            Tags tags = overlayTags.and("segment", segment.name());
            SegmentCounters counters = segment.counters();
            for (SegmentCounters.Event event : SegmentCounters.Event.values()) {
                FunctionCounter.builder("ocbridge.segment.frames", counters, c -> c.get(event))
                        .description("L2 segment frame events, by event")
                        .tags(tags.and("event", event.name().toLowerCase(Locale.ROOT))).register(registry);
            }
            Gauge.builder("ocbridge.segment.mac.table.size", segment, Segment::publishedMacTableSize)
                    .description("MAC addresses learned behind peers")
                    .tags(tags).register(registry);
        }
    }
}

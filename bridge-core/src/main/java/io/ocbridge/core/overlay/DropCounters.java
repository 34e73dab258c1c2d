package io.ocbridge.core.overlay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Drop counts by reason; written by the overlay's event loop, readable from any thread. */
public final class DropCounters {
    private final AtomicLongArray counts = new AtomicLongArray(DropReason.values().length);

    public void increment(DropReason reason) {
        counts.incrementAndGet(reason.ordinal());
    }

    public long get(DropReason reason) {
        return counts.get(reason.ordinal());
    }

    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> result = new EnumMap<>(DropReason.class);
        for (int i = 0; i < counts.length(); i++) {
            result.put(DropReason.of(i), counts.get(i));
        }
        return result;
    }
}

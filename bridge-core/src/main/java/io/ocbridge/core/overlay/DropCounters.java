package io.ocbridge.core.overlay;

import io.ocbridge.core.counters.EnumCounters;

/** Drop counts by reason; written by the overlay's event loop, readable from any thread. */
public final class DropCounters extends EnumCounters<DropReason> {
    public DropCounters() {
        super(DropReason.class);
    }
}

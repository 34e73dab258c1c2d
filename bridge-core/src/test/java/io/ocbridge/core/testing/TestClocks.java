package io.ocbridge.core.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** Wall clocks for tests that step a virtual monotonic clock: the wall clock moves with it, from a fixed epoch. */
public final class TestClocks {
    private TestClocks() {
    }

    /** A UTC clock reading {@code epochSeconds} plus whatever {@code nanos} says now. */
    public static Clock wall(long epochSeconds, LongSupplier nanos) {
        return new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochSecond(epochSeconds).plusNanos(nanos.getAsLong()); }
        };
    }
}

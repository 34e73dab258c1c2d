package io.ocbridge.crypto.noise;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** A wall clock and a nanosecond clock that move only when told to. */
final class TestClocks {

    final ManualClock wall = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private long nanos = 1_000_000_000L;
    final LongSupplier nanoClock = () -> nanos;

    /** Advances both clocks. */
    void advance(Duration d) {
        wall.now = wall.now.plus(d);
        nanos += d.toNanos();
    }

    void advanceNanosOnly(Duration d) {
        nanos += d.toNanos();
    }

    static final class ManualClock extends Clock {
        Instant now;

        ManualClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

package io.ocbridge.bench;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * Clocks that move 25 ms per reading, so back-to-back handshakes in a benchmark pass the
 * responder's TAI64N replay and 20 ms flood checks as real, spaced initiations would.
 */
final class SteppingClocks {
    private long nanos = 1_000_000_000L;

    final LongSupplier nano = () -> nanos += 25_000_000L;

    final Clock wall = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochSecond(1_700_000_000L).plusNanos(nanos += 25_000_000L); }
    };
}

package io.ocbridge.bench;

import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.TestClocks;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * Clocks that move 25 ms per reading, so back-to-back handshakes in a benchmark pass the
 * responder's TAI64N replay and 20 ms flood checks as real, spaced initiations would.
 */
final class SteppingClocks {
    private static final long STEP_NANOS = 25_000_000L;

    private final ManualClock clock = new ManualClock(1_000_000_000L);

    final LongSupplier nano = () -> clock.advanceNanos(STEP_NANOS);

    /** Reads 2023-11-14T22:13:20Z plus the stepped nanoseconds; each reading steps the shared clock too. */
    final Clock wall = TestClocks.wall(ManualClock.DEFAULT_EPOCH_SECONDS, nano);
}

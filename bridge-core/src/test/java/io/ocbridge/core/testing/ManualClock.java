package io.ocbridge.core.testing;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A virtual monotonic clock in nanoseconds that moves only when the test moves it, and the UTC wall clock that moves
 * with it from a fixed epoch. Hand it (a {@link LongSupplier}, or {@code clock::get}) to code that takes a nano clock
 * and {@link #wall()} to code that takes a {@link Clock}. Safe to read from any thread.
 */
public final class ManualClock implements LongSupplier {
    /** The wall clock's reading at nano reading 0, unless a test picks another (2023-11-14T22:13:20Z). */
    public static final long DEFAULT_EPOCH_SECONDS = 1_700_000_000L;

    private final AtomicLong nanos;
    private final Clock wall;

    public ManualClock(long startNanos) {
        this(startNanos, DEFAULT_EPOCH_SECONDS);
    }

    /** Reads {@code startNanos}; the wall clock reads {@code epochSeconds} plus the nano reading. */
    public ManualClock(long startNanos, long epochSeconds) {
        this.nanos = new AtomicLong(startNanos);
        this.wall = TestClocks.wall(epochSeconds, nanos::get);
    }

    /** The nano reading. */
    public long get() {
        return nanos.get();
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    /** Moves both clocks on by {@code deltaNanos}; returns the new nano reading. */
    public long advanceNanos(long deltaNanos) {
        return nanos.addAndGet(deltaNanos);
    }

    /** Moves both clocks on by {@code millis}; returns the new nano reading. */
    public long advanceMillis(long millis) {
        return advanceNanos(millis * 1_000_000L);
    }

    /** Sets the nano reading (the wall clock follows). */
    public void set(long nanosNow) {
        nanos.set(nanosNow);
    }

    /** The UTC wall clock that moves with this one. */
    public Clock wall() {
        return wall;
    }
}

package io.ocbridge.core.l2;

/**
 * A token bucket for flooded frames: {@code framesPerSecond} on average, bursts of one second's
 * worth. Credit is kept in nanoseconds (one frame costs {@code 1e9 / framesPerSecond} ns), so there
 * is no floating point and no allocation. One owner thread; the caller passes the time.
 */
public final class FloodLimiter {
    private static final long BURST_NANOS = 1_000_000_000L;

    private final long costNanos;
    private long creditNanos = BURST_NANOS;
    private long lastNanos;
    private boolean started;

    /** {@code framesPerSecond} must be positive. */
    public FloodLimiter(int framesPerSecond) {
        this.costNanos = Math.max(1, BURST_NANOS / framesPerSecond);
    }

    /** Takes one frame's worth of credit if there is enough; false means drop. */
    public boolean tryAcquire(long nowNanos) {
        if (!started) {
            started = true;
            lastNanos = nowNanos;
        }
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            creditNanos = Math.min(BURST_NANOS, creditNanos + elapsed);
            lastNanos = nowNanos;
        }
        if (creditNanos < costNanos) {
            return false;
        }
        creditNanos -= costNanos;
        return true;
    }
}

package io.ocbridge.core.counters;

/**
 * Lets something happen at most once per interval: a log line that hostile traffic could otherwise repeat, a retry
 * that forged messages could otherwise loop. The first call always passes. One owner thread; no allocation.
 */
public final class IntervalGate {
    private long lastPassNanos;
    private boolean passedBefore;

    /** Whether it may happen at {@code now}, at least {@code intervalNanos} after the last time; records it if so. */
    public boolean tryPass(long now, long intervalNanos) {
        if (passedBefore && now - lastPassNanos < intervalNanos) {
            return false;
        }
        passedBefore = true;
        lastPassNanos = now;
        return true;
    }
}

package io.ocbridge.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits, bounded in time, for something another thread makes true; the caller asserts on it afterwards. */
public final class Poll {
    private Poll() {
    }

    /** Checks {@code done} every {@code step} until it holds or {@code timeout} passed; returns whether it held. */
    public static boolean until(Duration timeout, Duration step, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(step);
        }
        return true;
    }
}

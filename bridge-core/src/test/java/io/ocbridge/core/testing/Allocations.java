package io.ocbridge.core.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Counts the heap bytes a thread allocates (HotSpot's per-thread counter, exact, not sampled), for tests that
 * hold the data path to "no allocation per packet". The measured code runs as on the daemon's event loop: on a
 * Netty {@link FastThreadLocalThread}, the only kind that gets the pooled allocator's thread cache and object
 * recyclers by default in Netty 4.2 (elsewhere every buffer costs a new object). Netty's leak detector
 * allocates a trace record on every buffer access at the paranoid level the tests run at, so it is off meanwhile.
 */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    /**
     * Bytes allocated while {@code action} ran {@code times} times, after as many warm-up runs, on a fresh
     * event-loop-like thread. An exception or assertion failure in {@code action} is rethrown here.
     */
    public static long allocatedBy(int times, Runnable action) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        long[] bytes = new long[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new FastThreadLocalThread(() -> {
            try {
                for (int i = 0; i < times; i++) {
                    action.run();
                }
                long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < times; i++) {
                    action.run();
                }
                bytes[0] = THREADS.getCurrentThreadAllocatedBytes() - before;
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "allocations");
        try {
            thread.start();
            thread.join(TimeUnit.MINUTES.toMillis(2));
            if (thread.isAlive()) {
                thread.interrupt();
                throw new AssertionError("measured action still running after 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        if (failure[0] instanceof RuntimeException r) {
            throw r;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        return bytes[0];
    }

    /**
     * The least of {@code tries} measurements by {@link #allocatedBy}: code the JIT has not yet compiled with escape
     * analysis allocates objects that compiled code does not, and a slow machine may still be compiling in the first.
     */
    public static long leastAllocatedBy(int times, int tries, Runnable action) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < tries; i++) {
            least = Math.min(least, allocatedBy(times, action));
        }
        return least;
    }

    /** Runs {@code action} with Netty's leak detector off: to create buffers that carry no leak-tracking wrapper. */
    public static <T> T untracked(java.util.function.Supplier<T> action) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            return action.get();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}

package io.ocbridge.it;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches a link's received-byte counter on a thread of its own and keeps the longest time it did not grow: how long a
 * transfer through that link stalled. Polls with a bounded period until {@link #stop()}.
 */
final class ReceiveProgress {
    private static final Duration MAX_WATCH = Duration.ofMinutes(5);

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long longestStallNanos;

    private ReceiveProgress(Netns ns, String device, Duration period) {
        thread = new Thread(() -> poll(ns, device, period), "receive-progress");
        thread.setDaemon(true);
    }

    static ReceiveProgress watch(Netns ns, String device, Duration period) {
        var progress = new ReceiveProgress(ns, device, period);
        progress.thread.start();
        return progress;
    }

    private void poll(Netns ns, String device, Duration period) {
        long start = System.nanoTime();
        long last = ns.rxBytes(device);
        long lastGrowthNs = System.nanoTime();
        while (running.get() && System.nanoTime() - start < MAX_WATCH.toNanos()) {
            Wait.sleep(period);
            long now = ns.rxBytes(device);
            long t = System.nanoTime();
            if (now != last) {
                last = now;
                lastGrowthNs = t;
            } else {
                longestStallNanos = Math.max(longestStallNanos, t - lastGrowthNs);
            }
        }
    }

    /** Stops watching; the longest stall seen. */
    Duration stop() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
        return Duration.ofNanos(longestStallNanos);
    }
}

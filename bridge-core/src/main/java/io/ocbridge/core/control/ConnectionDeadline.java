package io.ocbridge.core.control;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A time limit on the current step of one blocking connection (waiting for a request, writing a reply): when it
 * passes, the channel is closed and the blocked read or write fails. So a client that connects and stalls, or never
 * reads what we send, holds its connection slot for at most that long. One timer thread serves every deadline.
 */
public final class ConnectionDeadline implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Closeable channel;
    private ScheduledFuture<?> expiry; // guarded by this
    private volatile boolean expired;

    public ConnectionDeadline(Closeable channel) {
        this.channel = channel;
    }

    /** Closes the channel unless {@link #stop} or another {@code start} comes within {@code limit}. */
    public synchronized void start(Duration limit) {
        stop();
        expiry = TIMER.schedule(this::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** No limit until the next {@link #start}: for our own work (a reload, applying a set), bounded elsewhere. */
    public synchronized void stop() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** Whether the channel was closed because a step outlived its limit. */
    public boolean expired() {
        return expired;
    }

    @Override
    public void close() {
        stop();
    }

    private void expire() {
        expired = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("ocb-deadlines").daemon(true).factory());
        timer.setRemoveOnCancelPolicy(true); // a connection served in time leaves nothing queued
        return timer;
    }
}

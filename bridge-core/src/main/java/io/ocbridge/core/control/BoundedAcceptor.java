package io.ocbridge.core.control;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The accept loop of the local sockets (control, UAPI, metrics): one platform thread accepts on a bound channel, a
 * virtual thread serves each connection, at most {@code maxConnections} at once. Every connection gets a
 * {@link ConnectionDeadline} its handler arms for each step, so stalled clients cannot keep the slots; a connection
 * over the bound is refused and closed. Both are counted.
 */
public final class BoundedAcceptor implements AutoCloseable {
    private static final long ACCEPT_RETRY_MILLIS = 100;

    /** Serves one connection; must not throw. The acceptor closes the channel afterwards. */
    @FunctionalInterface
    public interface Handler {
        void serve(SocketChannel channel, ConnectionDeadline deadline);
    }

    private final String name;
    private final ServerSocketChannel server;
    private final Semaphore connections;
    private final Log log;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean running = true;

    private BoundedAcceptor(String name, ServerSocketChannel server, int maxConnections, Log log, Handler serve,
            Consumer<SocketChannel> refuse) {
        this.name = name;
        this.server = server;
        this.connections = new Semaphore(maxConnections);
        this.log = log;
        this.acceptor = Thread.ofPlatform().name("ocb-" + name).daemon(true).unstarted(() -> acceptLoop(serve, refuse));
    }

    /**
     * Starts accepting on {@code server} (bound, blocking). {@code refuse} may tell a client over the bound why, with
     * a write that must not block, before it is closed. {@code name} prefixes thread names and log events.
     */
    public static BoundedAcceptor start(String name, ServerSocketChannel server, int maxConnections, Log log,
            Handler serve, Consumer<SocketChannel> refuse) {
        BoundedAcceptor acceptor = new BoundedAcceptor(name, server, maxConnections, log, serve, refuse);
        acceptor.acceptor.start();
        return acceptor;
    }

    public boolean running() {
        return running;
    }

    /** Connections refused because {@code maxConnections} were being served. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Connections closed because a step (reading a request, writing a reply) outlived its deadline. */
    public long timedOutConnections() {
        return timedOut.get();
    }

    private void acceptLoop(Handler serve, Consumer<SocketChannel> refuse) {
        while (running) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                log.warn(name + "-accept-failed", "error=" + e.getMessage());
                UnixSocketFile.sleepQuietly(ACCEPT_RETRY_MILLIS); // e.g. out of descriptors: do not spin
                continue;
            }
            if (!connections.tryAcquire()) {
                refused.incrementAndGet();
                refuse.accept(channel);
                UnixSocketFile.closeQuietly(channel);
                continue;
            }
            Thread.ofVirtual().name("ocb-" + name + "-conn").start(() -> serveOne(serve, channel));
        }
    }

    private void serveOne(Handler serve, SocketChannel channel) {
        ConnectionDeadline deadline = new ConnectionDeadline(channel);
        try {
            serve.serve(channel, deadline);
        } finally {
            deadline.close();
            UnixSocketFile.closeQuietly(channel);
            connections.release();
            if (deadline.expired()) {
                timedOut.incrementAndGet();
                log.debug(name + "-connection-closed", "reason=deadline");
            }
        }
    }

    /** Stops accepting and waits briefly for the acceptor; connections being served end at their deadline. */
    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException e) {
            log.warn(name + "-close-failed", "error=" + e.getMessage());
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

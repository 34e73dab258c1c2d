package io.ocbridge.core.control;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;

/**
 * The accept loop shared by the control socket and the UAPI socket: one platform thread accepts, a virtual thread
 * serves each connection, at most {@code maxConnections} at once; a connection over that bound is refused (counted in
 * {@link #refusedConnections()}) and closed. The socket file's life is {@link UnixSocketFile}'s.
 */
public final class UnixSocketServer implements AutoCloseable {
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final String name;
    private final Path path;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private final UserPrincipal owner;
    private final Log log;
    private final Semaphore connections;
    private final AtomicLong refused = new AtomicLong();
    private Thread acceptor;
    private volatile boolean running = true;

    private UnixSocketServer(String name, Path path, ServerSocketChannel server, int maxConnections, Log log)
            throws IOException {
        this.name = name;
        this.path = path;
        this.server = server;
        this.fileKey = UnixSocketFile.fileKey(path);
        this.owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        this.connections = new Semaphore(maxConnections);
        this.log = log;
    }

    /**
     * Binds {@code path} as {@link UnixSocketFile#bind} does; serving starts with {@link #start}. {@code name} prefixes
     * the thread names and log events ("control", "uapi").
     */
    public static UnixSocketServer bind(String name, Path path, String directoryMode, int maxConnections,
            String liveOwner, Log log) throws IOException {
        ServerSocketChannel server = UnixSocketFile.bind(path, directoryMode, maxConnections, liveOwner);
        try {
            return new UnixSocketServer(name, path, server, maxConnections, log);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Starts accepting. {@code serve} handles one connection and must not throw; {@code refuse} may tell a client over
     * the bound why before it is closed. The server closes every channel afterwards.
     */
    public void start(Consumer<SocketChannel> serve, Consumer<SocketChannel> refuse) {
        acceptor = Thread.ofPlatform().name("ocb-" + name).daemon(true).start(() -> acceptLoop(serve, refuse));
    }

    public Path path() {
        return path;
    }

    public boolean running() {
        return running;
    }

    /** Connections refused because {@code maxConnections} were being served. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Whether the peer on {@code channel} is root or the socket file's owner (the daemon's user). */
    public boolean allowed(SocketChannel channel) throws IOException {
        UserPrincipal user = peer(channel);
        return user.equals(owner) || isRoot(user);
    }

    public static UserPrincipal peer(SocketChannel channel) throws IOException {
        return channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
    }

    public static boolean isRoot(UserPrincipal user) {
        return "root".equals(user.getName());
    }

    private void acceptLoop(Consumer<SocketChannel> serve, Consumer<SocketChannel> refuse) {
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
            Thread.ofVirtual().name("ocb-" + name + "-conn").start(() -> {
                try {
                    serve.accept(channel);
                } finally {
                    UnixSocketFile.closeQuietly(channel);
                    connections.release();
                }
            });
        }
    }

    /** Stops accepting, waits briefly for the acceptor, and removes the socket file if it is still ours. */
    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException e) {
            log.warn(name + "-close-failed", "error=" + e.getMessage());
        }
        if (acceptor != null) {
            try {
                acceptor.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            UnixSocketFile.removeIfSame(path, fileKey);
        } catch (IOException e) {
            log.warn(name + "-socket-cleanup-failed", "path=" + path + " error=" + e.getMessage());
        }
    }
}

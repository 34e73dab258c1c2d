package io.ocbridge.core.control;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;

/**
 * A Unix socket served by a {@link BoundedAcceptor}, shared by the control socket and the UAPI socket: connections
 * are bounded in number and each step of one in time. The socket file's life is {@link UnixSocketFile}'s; peers are
 * told apart by their credentials ({@link #allowed}).
 */
public final class UnixSocketServer implements AutoCloseable {
    private final String name;
    private final Path path;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private final UserPrincipal owner;
    private final int maxConnections;
    private final Log log;
    private BoundedAcceptor acceptor;

    private UnixSocketServer(String name, Path path, ServerSocketChannel server, int maxConnections, Log log)
            throws IOException {
        this.name = name;
        this.path = path;
        this.server = server;
        this.fileKey = UnixSocketFile.fileKey(path);
        this.owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        this.maxConnections = maxConnections;
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
     * Starts accepting. {@code serve} handles one connection, arming its deadline for each step, and must not throw;
     * {@code refuse} may tell a client over the bound why before it is closed. The server closes every channel
     * afterwards.
     */
    public void start(BoundedAcceptor.Handler serve, Consumer<SocketChannel> refuse) {
        acceptor = BoundedAcceptor.start(name, server, maxConnections, log, serve, refuse);
    }

    public Path path() {
        return path;
    }

    public boolean running() {
        return acceptor != null && acceptor.running();
    }

    /** Connections refused because {@code maxConnections} were being served. */
    public long refusedConnections() {
        return acceptor == null ? 0 : acceptor.refusedConnections();
    }

    /** Connections closed because a step outlived its deadline. */
    public long timedOutConnections() {
        return acceptor == null ? 0 : acceptor.timedOutConnections();
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

    /** Stops accepting, waits briefly for the acceptor, and removes the socket file if it is still ours. */
    @Override
    public void close() {
        if (acceptor != null) {
            acceptor.close();
        } else {
            UnixSocketFile.closeQuietly(server);
        }
        try {
            UnixSocketFile.removeIfSame(path, fileKey);
        } catch (IOException e) {
            log.warn(name + "-socket-cleanup-failed", "path=" + path + " error=" + e.getMessage());
        }
    }
}

package io.ocbridge.core.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The life of a root-only Unix socket file, shared by the control socket and the WireGuard UAPI
 * socket: bind it 0600 (replacing a stale file, refusing a live socket or a non-socket), and at
 * the end remove it only if it is still the file we bound.
 */
public final class UnixSocketFile {
    private UnixSocketFile() {}

    /**
     * Binds a listening socket at {@code path}, creating its directory with {@code directoryMode}
     * (e.g. "rwx------") if missing, and refusing one that {@link SocketDirectory} finds others could
     * write to. {@code liveOwner} names who might already answer there, for
     * the refusal message. Callers must still check peer credentials: a client may connect in the
     * instant between bind and chmod.
     */
    public static ServerSocketChannel bind(Path path, String directoryMode, int backlog, String liveOwner)
            throws IOException {
        Path directory = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(directoryMode)));
        }
        SocketDirectory.verify(directory);
        removeStale(path, liveOwner);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), backlog);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Deletes a socket file nobody answers on; refuses a live one and anything that is not a socket. */
    private static void removeStale(Path path, String liveOwner) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther()) {
            throw new IOException(path + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException(liveOwner + " is answering on " + path + "; stop it first");
        } catch (ConnectException e) {
            Files.deleteIfExists(path); // refused: its owner is gone
        }
    }

    /** The identity of the file now at {@code path} (inode), to recognise it at removal. */
    public static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Removes {@code path} if it is still the file identified by {@code fileKey}; never someone else's. */
    public static void removeIfSame(Path path, Object fileKey) throws IOException {
        try {
            Object now = fileKey(path);
            if (fileKey != null && fileKey.equals(now)) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /**
     * Reads away, without waiting, up to {@code maxBytes} the client already sent and we will not read: closing a Unix
     * socket with unread data resets the connection, and the client would lose our last reply. Leaves the channel
     * non-blocking.
     */
    public static void discardUnread(SocketChannel channel, int maxBytes) throws IOException {
        channel.configureBlocking(false);
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (int total = 0; total < maxBytes; total += sink.position()) {
            sink.clear();
            if (channel.read(sink) <= 0) {
                return;
            }
        }
    }

    public static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing; nothing to do
        }
    }

    public static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

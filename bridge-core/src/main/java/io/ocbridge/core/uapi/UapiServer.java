package io.ocbridge.core.uapi;

import io.ocbridge.core.control.UnixSocketFile;
import io.ocbridge.core.control.UnixSocketServer;
import io.ocbridge.core.log.Log;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WireGuard cross-platform userspace API (https://www.wireguard.com/xplatform/) for one device, on the socket
 * {@code wg} looks for: {@code /var/run/wireguard/<device>.sock} (directory 0755, socket 0600, as wireguard-go).
 * Requests are {@code get=1} and {@code set=1}, each ended by a blank line and answered with {@code errno=N} and a
 * blank line; a connection may carry several. Only root and the daemon's own user may connect, and only root reads
 * the private and preshared keys in a {@code get}. Served by a {@link UnixSocketServer}; connections, line and
 * request sizes, and the wait for a request are bounded.
 */
public final class UapiServer implements AutoCloseable {
    public static final Path SOCKET_DIRECTORY = Path.of("/var/run/wireguard");
    static final int MAX_CONNECTIONS = 16;
    static final long IDLE_TIMEOUT_MILLIS = 10_000;
    /** What is read away after a refused oversize request, so the client gets our errno rather than a reset. */
    private static final int MAX_DISCARD_BYTES = 1 << 20;

    private final UnixSocketServer sockets;
    private final UapiDevice device;
    private final Log log;
    private final AtomicLong oversizeRequests = new AtomicLong();

    private UapiServer(UnixSocketServer sockets, UapiDevice device, Log log) {
        this.sockets = sockets;
        this.device = device;
        this.log = log;
    }

    /** The socket path of {@code deviceName}, as {@code wg} computes it. */
    public static Path socketPath(String deviceName) {
        return SOCKET_DIRECTORY.resolve(deviceName + ".sock");
    }

    /**
     * Binds {@code path} and starts serving {@code device}. A socket nobody answers on is replaced; a live one, or a
     * path that is not a socket, is refused with a one-line {@link IOException}.
     */
    public static UapiServer start(Path path, UapiDevice device, Log log) throws IOException {
        UnixSocketServer sockets = UnixSocketServer.bind("uapi", path, "rwxr-xr-x", MAX_CONNECTIONS,
                "another WireGuard implementation", log);
        UapiServer uapi = new UapiServer(sockets, device, log);
        // Over the bound: closed unanswered; wg reports the failure, nothing it could parse would help.
        sockets.start(uapi::serve, channel -> { });
        return uapi;
    }

    public Path path() {
        return sockets.path();
    }

    /** Connections refused because {@value #MAX_CONNECTIONS} were being served. */
    public long refusedConnections() {
        return sockets.refusedConnections();
    }

    /**
     * Requests refused with EMSGSIZE: a line over {@value LineReader#MAX_LINE_BYTES} bytes or a request over
     * {@value LineReader#MAX_REQUEST_BYTES}.
     */
    public long oversizeRequests() {
        return oversizeRequests.get();
    }

    /** One connection: credentials, then requests until the client closes or errs. Never throws. */
    private void serve(SocketChannel channel) {
        AtomicLong served = new AtomicLong();
        try {
            UserPrincipal user = UnixSocketServer.peer(channel);
            boolean root = UnixSocketServer.isRoot(user);
            if (!sockets.allowed(channel)) {
                log.warn("uapi-refused", "reason=permission user=" + user.getName());
                return;
            }
            LineReader reader = new LineReader(new BufferedInputStream(Channels.newInputStream(channel)));
            while (sockets.running()) {
                closeIfIdle(channel, served, served.get());
                reader.newRequest();
                String operation = reader.readLine();
                if (operation == null) {
                    return;
                }
                served.incrementAndGet();
                if (!respond(channel, reader, operation, root)) {
                    return;
                }
            }
        } catch (UapiException e) { // an oversize operation line
            oversizeRequests.incrementAndGet();
            log.warn("uapi-request-refused", "errno=" + e.errno() + " reason=\"" + e.getMessage() + "\"");
            try {
                write(channel, "errno=" + e.errno() + "\n\n");
                UnixSocketFile.discardUnread(channel, MAX_DISCARD_BYTES);
            } catch (IOException gone) {
                // the client left
            }
        } catch (IOException e) {
            log.debug("uapi-connection-failed", "error=" + e.getMessage());
        } catch (RuntimeException e) {
            log.error("uapi-request-failed", "error=" + e);
        }
    }

    /** Answers one request; false when the connection must close (unknown operation, oversize request). */
    private boolean respond(SocketChannel channel, LineReader reader, String operation, boolean root)
            throws IOException {
        try {
            switch (operation) {
                case "get=1" -> {
                    String blank = reader.readLine();
                    if (blank == null) {
                        return false;
                    }
                    if (!blank.isEmpty()) {
                        throw new UapiException(UapiException.EINVAL, "trailing line after get=1");
                    }
                    DeviceState state = device.get(root);
                    try {
                        write(channel, UapiGet.format(state) + "errno=0\n\n");
                    } finally {
                        state.destroy();
                    }
                }
                case "set=1" -> {
                    List<String> lines = reader.readUntilBlank();
                    if (lines == null) {
                        return false;
                    }
                    SetRequest request = UapiSet.parse(lines);
                    try {
                        device.set(request);
                    } finally {
                        request.destroy();
                    }
                    write(channel, "errno=0\n\n");
                }
                default -> {
                    log.debug("uapi-refused", "reason=unknown-operation operation=" + UapiSet.fieldName(operation));
                    return false;
                }
            }
            return true;
        } catch (UapiException e) {
            log.warn("uapi-request-refused", "operation=" + UapiSet.fieldName(operation) + " errno=" + e.errno()
                    + " reason=\"" + e.getMessage() + "\"");
            write(channel, "errno=" + e.errno() + "\n\n");
            if (e.errno() == -UapiException.EMSGSIZE) {
                oversizeRequests.incrementAndGet();
                UnixSocketFile.discardUnread(channel, MAX_DISCARD_BYTES);
                return false;
            }
            return true;
        }
    }

    /** Closes {@code channel} unless a request beyond the {@code seen}-th arrives within the idle timeout. */
    private static void closeIfIdle(SocketChannel channel, AtomicLong served, long seen) {
        CompletableFuture.delayedExecutor(IDLE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (served.get() == seen) {
                UnixSocketFile.closeQuietly(channel);
            }
        });
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Stops accepting and removes the socket file if it is still ours; open connections end at their next read. */
    @Override
    public void close() {
        sockets.close();
    }
}

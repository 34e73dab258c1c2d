package io.ocbridge.core.uapi;

import io.ocbridge.core.control.ConnectionDeadline;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WireGuard cross-platform userspace API (https://www.wireguard.com/xplatform/) for one device, on the socket
 * {@code wg} looks for: {@code /var/run/wireguard/<device>.sock} (directory 0755, socket 0600, as wireguard-go).
 * Requests are {@code get=1} and {@code set=1}, each ended by a blank line and answered with {@code errno=N} and a
 * blank line; a connection may carry several. Only root and the daemon's own user may connect, and only root reads
 * the private and preshared keys in a {@code get}. Served by a {@link UnixSocketServer}; connections, line and
 * request sizes are bounded, and so in time is each wait for a whole request and each reply's write: a client that
 * stalls is closed at the deadline and frees its slot.
 */
public final class UapiServer implements AutoCloseable {
    public static final Path SOCKET_DIRECTORY = Path.of("/var/run/wireguard");
    static final int MAX_CONNECTIONS = 16;
    /** How long a client may take to send a whole request, or to take our reply. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** What is read away after a refused oversize request, so the client gets our errno rather than a reset. */
    private static final int MAX_DISCARD_BYTES = 1 << 20;

    private final UnixSocketServer sockets;
    private final UapiDevice device;
    private final Log log;
    private final Duration requestTimeout;
    private final AtomicLong oversizeRequests = new AtomicLong();

    private UapiServer(UnixSocketServer sockets, UapiDevice device, Log log, Duration requestTimeout) {
        this.sockets = sockets;
        this.device = device;
        this.log = log;
        this.requestTimeout = requestTimeout;
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
        return start(path, device, log, REQUEST_TIMEOUT);
    }

    /** As {@link #start(Path, UapiDevice, Log)}, with another deadline per request and per reply (tests). */
    static UapiServer start(Path path, UapiDevice device, Log log, Duration requestTimeout) throws IOException {
        UnixSocketServer sockets = UnixSocketServer.bind("uapi", path, "rwxr-xr-x", MAX_CONNECTIONS,
                "another WireGuard implementation", log);
        UapiServer uapi = new UapiServer(sockets, device, log, requestTimeout);
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

    /** Connections closed because a request or a reply took longer than the deadline. */
    public long timedOutConnections() {
        return sockets.timedOutConnections();
    }

    /**
     * Requests refused with EMSGSIZE: a line over {@value LineReader#MAX_LINE_BYTES} bytes or a request over
     * {@value LineReader#MAX_REQUEST_BYTES}.
     */
    public long oversizeRequests() {
        return oversizeRequests.get();
    }

    /** One connection: credentials, then requests until the client closes, errs or misses a deadline. Never throws. */
    private void serve(SocketChannel channel, ConnectionDeadline deadline) {
        try {
            UserPrincipal user = UnixSocketServer.peer(channel);
            boolean root = UnixSocketServer.isRoot(user);
            if (!sockets.allowed(channel)) {
                log.warn("uapi-refused", "reason=permission user=" + user.getName());
                return;
            }
            LineReader reader = new LineReader(new BufferedInputStream(Channels.newInputStream(channel)));
            while (sockets.running()) {
                deadline.start(requestTimeout); // for the wait and the whole request, up to its blank line
                reader.newRequest();
                String operation = reader.readLine();
                if (operation == null) {
                    return;
                }
                if (!respond(channel, deadline, reader, operation, root)) {
                    return;
                }
            }
        } catch (UapiException e) { // an oversize operation line
            oversizeRequests.incrementAndGet();
            log.warn("uapi-request-refused", "errno=" + e.errno() + " reason=\"" + e.getMessage() + "\"");
            try {
                deadline.start(requestTimeout);
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
    private boolean respond(SocketChannel channel, ConnectionDeadline deadline, LineReader reader, String operation,
            boolean root) throws IOException {
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
                    deadline.stop(); // the device answers within its own bound
                    DeviceState state = device.get(root);
                    try {
                        deadline.start(requestTimeout);
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
                    deadline.stop(); // applying runs to the device's own bounds
                    try {
                        device.set(request);
                    } finally {
                        request.destroy();
                    }
                    deadline.start(requestTimeout);
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
            deadline.start(requestTimeout);
            write(channel, "errno=" + e.errno() + "\n\n");
            if (e.errno() == -UapiException.EMSGSIZE) {
                oversizeRequests.incrementAndGet();
                UnixSocketFile.discardUnread(channel, MAX_DISCARD_BYTES);
                return false;
            }
            return true;
        }
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Stops accepting and removes the socket file if it is still ours; open connections end at their next request. */
    @Override
    public void close() {
        sockets.close();
    }
}

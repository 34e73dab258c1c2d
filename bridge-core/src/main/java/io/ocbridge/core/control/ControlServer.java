package io.ocbridge.core.control;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's control socket: a Unix socket (file mode 0600, its directory created 0700) served by a
 * {@link UnixSocketServer}. Protocol: one request line, one response, then the server
 * closes: {@code status} answers the status JSON, {@code reload} a {@link ReloadReply}; a failure is a line starting
 * {@code error: }. Requests are bounded in size, connections in number, and both the wait for the request and the
 * write of the response in time (a client that never reads is closed at the deadline); a connection from another
 * user (other than root) is refused. Nothing a client sends can stop the server.
 */
public final class ControlServer implements AutoCloseable {
    public static final int MAX_REQUEST_BYTES = 256;
    static final int MAX_CONNECTIONS = 16;
    /** How long a client may take to send its request line, or to take our response. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_DISCARD_BYTES = 1 << 20;

    private final UnixSocketServer sockets;
    private final StatusSource source;
    private final ReloadSource reloads;
    private final Log log;
    private final Duration requestTimeout;
    private final AtomicLong oversizeRequests = new AtomicLong();

    private ControlServer(UnixSocketServer sockets, StatusSource source, ReloadSource reloads, Log log,
            Duration requestTimeout) {
        this.sockets = sockets;
        this.source = source;
        this.reloads = reloads;
        this.log = log;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Binds {@code path} and starts serving. A socket file left by a dead daemon is replaced; if a live daemon
     * answers on it, or the path is something other than a socket, this refuses with an {@link IOException} whose
     * message is one line for the operator.
     */
    public static ControlServer start(Path path, StatusSource source, Log log) throws IOException {
        return start(path, source, null, log);
    }

    /** As {@link #start(Path, StatusSource, Log)}, also serving {@code reload} when {@code reloads} is not null. */
    public static ControlServer start(Path path, StatusSource source, ReloadSource reloads, Log log)
            throws IOException {
        return start(path, source, reloads, log, REQUEST_TIMEOUT);
    }

    /** As {@link #start(Path, StatusSource, ReloadSource, Log)}, with another deadline per step (tests). */
    static ControlServer start(Path path, StatusSource source, ReloadSource reloads, Log log, Duration requestTimeout)
            throws IOException {
        UnixSocketServer sockets = UnixSocketServer.bind("control", path, "rwx------", MAX_CONNECTIONS,
                "another ocbridge daemon", log);
        ControlServer control = new ControlServer(sockets, source, reloads, log, requestTimeout);
        sockets.start(control::serve, channel -> reply(channel, "error: busy\n"));
        return control;
    }

    public Path path() {
        return sockets.path();
    }

    /** Connections refused because {@value #MAX_CONNECTIONS} were being served. */
    public long refusedConnections() {
        return sockets.refusedConnections();
    }

    /** Connections closed because the request or the response took longer than the deadline. */
    public long timedOutConnections() {
        return sockets.timedOutConnections();
    }

    /** Requests refused for being longer than {@value #MAX_REQUEST_BYTES} bytes. */
    public long oversizeRequests() {
        return oversizeRequests.get();
    }

    /** One connection: credentials, one request line, one response. Never throws. */
    private void serve(SocketChannel channel, ConnectionDeadline deadline) {
        try {
            deadline.start(requestTimeout);
            if (!sockets.allowed(channel)) {
                reply(channel, "error: permission denied\n");
                return;
            }
            String request = readRequest(channel);
            if (request == null) {
                return; // closed without a request (e.g. a liveness probe)
            }
            deadline.stop(); // a reload, once asked for, runs to its own bounds
            String response = respond(request);
            deadline.start(requestTimeout);
            reply(channel, response);
            UnixSocketFile.discardUnread(channel, MAX_DISCARD_BYTES);
        } catch (IOException e) {
            log.debug("control-connection-failed", "error=" + e.getMessage());
        } catch (RuntimeException e) {
            log.error("control-request-failed", "error=" + e);
        }
    }

    /** The response to one request line. */
    String respond(String request) {
        if (request.equals("reload") && reloads != null) {
            return reloads.reload().toWire();
        }
        if (!request.equals("status")) {
            return "error: unknown request \"" + printable(request) + "\"; the requests are status"
                    + (reloads != null ? " and reload" : "") + "\n";
        }
        try {
            return StatusJson.write(source.status()) + "\n";
        } catch (StatusUnavailableException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    /** The request line without its line end; null at end of stream before any byte. */
    private String readRequest(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_BYTES + 1);
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            int n = channel.read(buffer);
            for (int i = start; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n') {
                    return line(buffer, i);
                }
            }
            if (n < 0) {
                return buffer.position() == 0 ? null : line(buffer, buffer.position());
            }
        }
        oversizeRequests.incrementAndGet();
        return "(longer than " + MAX_REQUEST_BYTES + " bytes)";
    }

    private static String line(ByteBuffer buffer, int end) {
        String text = new String(buffer.array(), 0, end, StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> out.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return out.toString();
    }

    private static void reply(SocketChannel channel, String text) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            // the client left; nothing to tell it
        }
    }

    /** Stops accepting, waits briefly for the acceptor, and removes the socket file if it is still ours. */
    @Override
    public void close() {
        sockets.close();
    }
}

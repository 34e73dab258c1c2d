package io.ocbridge.core.metrics;

import io.ocbridge.core.control.BoundedAcceptor;
import io.ocbridge.core.control.ConnectionDeadline;
import io.ocbridge.core.control.UnixSocketFile;
import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Plain HTTP/1.1 for one resource, {@code GET} or {@code HEAD} {@code /metrics}: one request per connection, answered
 * with {@code Connection: close}. Served by a {@link BoundedAcceptor}: connections are bounded in number, the request
 * head in size, and both the wait for it and the write of the response in time, so an idle or slow client cannot
 * hold up a scrape. Anything else gets 400, 404, 405 or 431.
 */
final class ScrapeServer implements AutoCloseable {
    static final String PATH = "/metrics";
    static final int MAX_CONNECTIONS = 8;
    static final int MAX_HEAD_BYTES = 8192;
    private static final int BACKLOG = 16;
    private static final int MAX_DISCARD_BYTES = 64 * 1024;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final int port;
    private final String contentType;
    private final Supplier<String> body;
    private final Duration timeout;
    private BoundedAcceptor acceptor;

    private ScrapeServer(int port, String contentType, Supplier<String> body, Duration timeout) {
        this.port = port;
        this.contentType = contentType;
        this.body = body;
        this.timeout = timeout;
    }

    /** Binds {@code listen} and serves {@code body()} as {@code contentType}, each step within {@code timeout}. */
    static ScrapeServer start(InetSocketAddress listen, String contentType, Supplier<String> body, Duration timeout,
            Log log) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        int port;
        try {
            server.bind(listen, BACKLOG);
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        ScrapeServer scrape = new ScrapeServer(port, contentType, body, timeout);
        scrape.acceptor = BoundedAcceptor.start("metrics", server, MAX_CONNECTIONS, log, scrape::serve, c -> { });
        return scrape;
    }

    int port() {
        return port;
    }

    /** Connections closed because the request or the response took longer than the deadline. */
    long timedOutConnections() {
        return acceptor.timedOutConnections();
    }

    /** Connections refused because {@value #MAX_CONNECTIONS} were being served. */
    long refusedConnections() {
        return acceptor.refusedConnections();
    }

    private void serve(SocketChannel channel, ConnectionDeadline deadline) {
        try {
            deadline.start(timeout);
            String head = readHead(channel);
            if (head == null) {
                return; // closed before a whole request head
            }
            deadline.stop();
            byte[] response = respond(head);
            deadline.start(timeout);
            ByteBuffer bytes = ByteBuffer.wrap(response);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            UnixSocketFile.discardUnread(channel, MAX_DISCARD_BYTES); // a reset could cost the client our response
        } catch (IOException e) {
            // the client left, or missed the deadline (counted by the acceptor)
        }
    }

    /**
     * The request head up to (without) its blank line; "" when it is over {@value #MAX_HEAD_BYTES} bytes, null when
     * the client closed first.
     */
    private static String readHead(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_HEAD_BYTES);
        while (buffer.hasRemaining()) {
            int start = buffer.position();
            if (channel.read(buffer) < 0) {
                return null;
            }
            for (int i = Math.max(1, start); i < buffer.position(); i++) {
                if (buffer.get(i) == '\n' && (buffer.get(i - 1) == '\n'
                        || i >= 2 && buffer.get(i - 1) == '\r' && buffer.get(i - 2) == '\n')) {
                    return new String(buffer.array(), 0, i, StandardCharsets.ISO_8859_1);
                }
            }
        }
        return "";
    }

    /** The whole response to a request head. */
    private byte[] respond(String head) {
        if (head.isEmpty()) {
            return response(431, "Request Header Fields Too Large", TEXT, "request head too large\n", false);
        }
        String[] requestLine = head.lines().findFirst().orElse("").split(" ", -1);
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            return response(400, "Bad Request", TEXT, "bad request\n", false);
        }
        String method = requestLine[0];
        String target = requestLine[1];
        int query = target.indexOf('?');
        boolean headOnly = method.equals("HEAD");
        if (!(query < 0 ? target : target.substring(0, query)).equals(PATH)) {
            return response(404, "Not Found", TEXT, "not found; try " + PATH + "\n", headOnly);
        }
        if (!method.equals("GET") && !headOnly) {
            return response(405, "Method Not Allowed", TEXT, "method not allowed\n", false, "Allow: GET, HEAD\r\n");
        }
        return response(200, "OK", contentType, body.get(), headOnly);
    }

    private static byte[] response(int status, String reason, String contentType, String body, boolean headOnly,
            String... extraHeaders) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(128)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n")
                .append("Connection: close\r\n");
        for (String header : extraHeaders) {
            out.append(header);
        }
        byte[] headBytes = out.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (headOnly) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + content.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(content, 0, all, headBytes.length, content.length);
        return all;
    }

    @Override
    public void close() {
        if (acceptor != null) {
            acceptor.close();
        }
    }
}

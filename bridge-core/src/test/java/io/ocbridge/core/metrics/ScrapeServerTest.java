package io.ocbridge.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.testing.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ScrapeServerTest {
    private static final Log LOG = Log.with("test=scrape");
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void answersGetAndHeadOnMetricsAndRefusesTheRest() throws Exception {
        try (ScrapeServer server = ScrapeServer.start(LOOPBACK, "text/plain", () -> "up 1\n", Duration.ofSeconds(5),
                LOG)) {
            String ok = exchange(server, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n"), ok);
            assertTrue(ok.contains("\r\nContent-Length: 5\r\n") && ok.contains("\r\nConnection: close\r\n"), ok);
            assertTrue(ok.endsWith("\r\n\r\nup 1\n"), ok);
            assertTrue(exchange(server, "GET /metrics?x=1 HTTP/1.0\n\n").startsWith("HTTP/1.1 200 "));
            String head = exchange(server, "HEAD /metrics HTTP/1.1\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 ") && head.endsWith("\r\n\r\n"), head);
            assertTrue(exchange(server, "GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 "));
            String post = exchange(server, "POST /metrics HTTP/1.1\r\n\r\n");
            assertTrue(post.startsWith("HTTP/1.1 405 ") && post.contains("\r\nAllow: GET, HEAD\r\n"), post);
            assertTrue(exchange(server, "nonsense\r\n\r\n").startsWith("HTTP/1.1 400 "));
            String huge = "GET /metrics HTTP/1.1\r\nX: " + "y".repeat(ScrapeServer.MAX_HEAD_BYTES) + "\r\n\r\n";
            assertTrue(exchange(server, huge).startsWith("HTTP/1.1 431 "));
        }
    }

    /**
     * Clients that stall (silent, half a request head, or never reading a long response) hold every slot; each is
     * closed at the deadline, and a client arriving after them gets its scrape.
     */
    @Test
    void stalledClientsAreClosedAtTheDeadlineAndTheNextScrapeIsServed() throws Exception {
        String longBody = "x".repeat(32 << 20); // more than loopback TCP buffers hold
        List<SocketChannel> stalled = new ArrayList<>();
        try (ScrapeServer server = ScrapeServer.start(LOOPBACK, "text/plain", () -> longBody, Duration.ofMillis(300),
                LOG)) {
            try {
                List<String> stalls = List.of("", "GET /metr", "GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\n\r\n");
                for (int i = 0; i < ScrapeServer.MAX_CONNECTIONS; i++) {
                    SocketChannel client = SocketChannel.open();
                    stalled.add(client);
                    client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
                    client.write(StandardCharsets.US_ASCII.encode(stalls.get(i % stalls.size())));
                }
                String response = "";
                for (long until = System.nanoTime() + 5_000_000_000L; !response.startsWith("HTTP/1.1 404 ")
                        && System.nanoTime() < until; Thread.sleep(50)) {
                    try {
                        response = exchange(server, "GET /nothing HTTP/1.1\r\n\r\n");
                    } catch (IOException refused) {
                        // over the bound: closed unanswered
                    }
                }
                assertTrue(response.startsWith("HTTP/1.1 404 "), "served once the stalled were closed: " + response);
                // the stalled ones are counted as they close
                Poll.until(Duration.ofSeconds(5), Duration.ofMillis(20),
                        () -> server.timedOutConnections() >= ScrapeServer.MAX_CONNECTIONS);
                assertEquals(ScrapeServer.MAX_CONNECTIONS, server.timedOutConnections());
            } finally {
                for (SocketChannel client : stalled) {
                    client.close();
                }
            }
        }
    }

    /** Sends {@code request} on a new connection and reads the response to the end. */
    private static String exchange(ScrapeServer server, String request) throws IOException {
        try (SocketChannel client = SocketChannel.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))) {
            client.write(StandardCharsets.US_ASCII.encode(request));
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (client.read(buffer) >= 0 && buffer.hasRemaining()) {
                // until the server closes
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }
}

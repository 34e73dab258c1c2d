package io.ocbridge.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.ocbridge.core.overlay.DropCounters;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsServerTest {

    private static HttpResponse<String> get(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A client that connects and stalls mid-request neither blocks a scrape nor keeps its connection. */
    @Test
    void anIdleClientDoesNotHoldUpAScrape() throws Exception {
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Duration.ofMillis(500));
                SocketChannel idle = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        server.port()))) {
            idle.write(StandardCharsets.US_ASCII.encode("GET /metr"));
            Thread.sleep(100); // let the server start reading it
            HttpResponse<String> response = get(server.port(), "/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("jvm_memory_used_bytes"));
            assertEquals(-1, idle.read(ByteBuffer.allocate(16)), "the idle client is closed at the deadline");
        }
    }

    @Test
    void servesOverlayAndJvmMetricsOnLoopback() throws Exception {
        PrivateKey local = PrivateKey.generate();
        PrivateKey remote = PrivateKey.generate();
        PublicKey remotePublic = remote.publicKey();
        Peer peer = new Peer("cloud-a", remotePublic,
                new PeerHandshake(new LocalIdentity(local), remotePublic, PresharedKey.zero(), Clock.systemUTC(),
                        System::nanoTime),
                new CookieGenerator(remotePublic, System::nanoTime), null, 0);
        DropCounters drops = new DropCounters();
        drops.increment(DropReason.REPLAY);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            OverlayMeters.bind(server.registry(), Tags.of("site", "dc-east", "overlay", "corp"), List.of(peer), drops,
                    new HandshakeCounters(), clock);
            OverlayMeters.bindOffloads(server.registry(), Tags.of("site", "dc-east", "overlay", "corp"),
                    () -> new OverlayStatus.Offloads(true, false, true));
            peer.addRx(1500);
            peer.addRx(32);
            peer.addTx(700);
            peer.handshakeCompleted(1_000_000_000L - 12_000);
            HttpResponse<String> response = get(server.port(), "/metrics");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String body = response.body();
            String tags = "overlay=\"corp\",peer=\"cloud-a\",site=\"dc-east\"";
            assertTrue(body.contains("ocbridge_peer_rx_bytes_total{" + tags + "} 1532.0"), body);
            assertTrue(body.contains("ocbridge_peer_rx_packets_total{" + tags + "} 2.0"), body);
            assertTrue(body.contains("ocbridge_peer_tx_packets_total{" + tags + "} 1.0"), body);
            assertTrue(body.contains("ocbridge_peer_tx_bytes_total{" + tags + "} 700.0"), body);
            assertTrue(body.contains("ocbridge_peer_latest_handshake_age_seconds{" + tags + "} 12.0"), body);
            assertTrue(body.contains("ocbridge_drops_total{overlay=\"corp\",reason=\"replay\",site=\"dc-east\"} 1.0"),
                    body);
            assertTrue(body.contains("ocbridge_handshakes_total{event=\"completed\",overlay=\"corp\",site=\"dc-east\"}"),
                    body);
            assertTrue(body.contains("jvm_memory_used_bytes"), "JVM meters");
            assertTrue(body.contains("ocbridge_offload_enabled{offload=\"device\",overlay=\"corp\",site=\"dc-east\"} 1.0"), body);
            assertTrue(body.contains("ocbridge_offload_enabled{offload=\"udp_gso\",overlay=\"corp\",site=\"dc-east\"} 0.0"), body);
            assertFalse(body.contains(remotePublic.toBase64()), "no keys in metrics");
            assertEquals(404, get(server.port(), "/").statusCode());
        } finally {
            local.destroy();
            remote.destroy();
        }
    }
}

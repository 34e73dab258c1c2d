package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The yardstick: the same two-site topology with wireguard-go on both gateways. It validates the fixture and prints the
 * figures ocbridge is compared against (ping RTT, TCP throughput). It must pass whatever state ocbridge is in.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class ReferenceWireGuardTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);
    static final long PAYLOAD_BYTES = 10L * 1024 * 1024;

    private WireGuardGo wgA;
    private WireGuardGo wgB;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        wgA = WireGuardGo.start(net, a, "wa", b.asPeer().withEndpoint(b.endpoint()));
        wgB = WireGuardGo.start(net, b, "wb", a.asPeer().withEndpoint(a.endpoint()));
    }

    @Test
    void pingsBothWaysThroughTheTunnel() {
        var first = Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP);
        assertTrue(first.isPresent(), "hostA -> hostB: no reply within " + TUNNEL_UP);
        var ab = Ping.run(net.hostA, Topology.HOST_B, 10);
        var ba = Ping.run(net.hostB, Topology.HOST_A, 10);
        assertEquals(10, ab.received(), ab.output());
        assertEquals(10, ba.received(), ba.output());
        assertTrue(wgA.latestHandshakeEpochSeconds() > 0, wgA.show());
        Summary.line("ReferenceWireGuardTest", "wireguard-go both sides: first reply after %d ms;"
                + " RTT avg hostA->hostB %.3f ms,"
                + " hostB->hostA %.3f ms", first.get().toMillis(), ab.avgRttMs(), ba.avgRttMs());
    }

    @Test
    void transfersTenMegabytesByteExact() {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        var payload = Transfer.payload(net.workDir().resolve("payload"), PAYLOAD_BYTES, 0x0cb);
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, Duration.ofSeconds(60));
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        Summary.line("ReferenceWireGuardTest", "wireguard-go both sides: hostA->hostB TCP %s", got.summary());
    }
}

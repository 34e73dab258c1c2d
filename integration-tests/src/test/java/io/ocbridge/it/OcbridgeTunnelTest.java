package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** ocbridge on both gateways: the L3 overlay carries traffic between the two LANs, both ways, byte-exact. */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class OcbridgeTunnelTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);
    static final long PAYLOAD_BYTES = 100L * 1024 * 1024;
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(120);

    private OcbridgeDaemon daemonA;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));
    }

    @Test
    void pingsBothWaysThroughBothGateways() {
        var first = Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP);
        assertTrue(first.isPresent(), "hostA -> hostB: no reply within " + TUNNEL_UP);
        assertTrue(Ping.until(net.hostB, Topology.HOST_A, TUNNEL_UP).isPresent(), "hostB -> hostA: no reply");
        var ab = Ping.run(net.hostA, Topology.HOST_B, 10);
        var ba = Ping.run(net.hostB, Topology.HOST_A, 10);
        assertEquals(10, ab.received(), ab.output());
        assertEquals(10, ba.received(), ba.output());
        // Gateway to gateway over the overlay addresses, too.
        assertEquals(3, Ping.run(net.gwA, Topology.OVERLAY_B, 3).received(), "gwA -> gwB overlay address");
        Summary.line("OcbridgeTunnelTest", "ocbridge both sides: first reply after %d ms; RTT avg hostA->hostB %.3f ms,"
                + " hostB->hostA %.3f ms", first.get().toMillis(), ab.avgRttMs(), ba.avgRttMs());
    }

    @Test
    void transfersHundredMegabytesByteExact() {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        var payload = Transfer.payload(net.workDir().resolve("payload"), PAYLOAD_BYTES, 0x0cb);
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, TRANSFER_TIMEOUT);
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        Summary.line("OcbridgeTunnelTest", "ocbridge both sides: hostA->hostB TCP %s", got.summary());
    }

    /** The spec: on stop the daemon removes the routes it added. Its exit code on SIGTERM is printed, not asserted. */
    @Test
    void sigtermStopsTheDaemonAndRemovesItsRoutes() {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        var exit = daemonA.terminate();
        assertTrue(exit.isPresent(), "site A's daemon still running " + Background.STOP_GRACE + " after SIGTERM");
        assertTrue(Wait.until(Duration.ofSeconds(2), () -> !daemonA.routes(Topology.LAN_B)),
                "route to " + Topology.LAN_B + " via " + daemonA.device() + " left behind after SIGTERM");
        System.out.println("[ocbridge] exit code after SIGTERM: " + exit.getAsInt());
    }
}

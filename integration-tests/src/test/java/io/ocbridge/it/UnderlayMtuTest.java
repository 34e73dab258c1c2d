package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An underlay whose MTU is smaller than the overlay's datagrams (a cloud network at 1280 under an overlay at 1420):
 * the kernel refuses UDP GSO sends whose segments exceed the path MTU, so the daemon must notice, say so once, and
 * go on sending datagrams one by one, which the kernel then fragments. The transfer stays byte-exact.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class UnderlayMtuTest extends LabTest<Topology> {
    private static final String SMALL_UNDERLAY_MTU = "1280";
    private static final long PAYLOAD_BYTES = 20L * 1024 * 1024;

    @Test
    void gsoFallsBackWhenTheUnderlayPathMtuIsSmall() {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName());
        net.gwA.ip("link", "set", "wan0", "mtu", SMALL_UNDERLAY_MTU).orThrow();
        net.gwB.ip("link", "set", "wan0", "mtu", SMALL_UNDERLAY_MTU).orThrow();
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        var daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");

        var payload = Transfer.payload(net.workDir().resolve("payload"), PAYLOAD_BYTES, 0x1280);
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, Duration.ofSeconds(120));
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");

        var fallback = daemonA.process().logLinesMatching("udp-gso-disabled");
        assertFalse(fallback.isEmpty(), "site A sent full-size segments over a 1280-byte underlay without a GSO fallback");
        assertEquals(1, fallback.size(), "the fallback is logged once: " + fallback);
        var status = net.gwA.exec(Duration.ofSeconds(20), OcbridgeDaemon.launcher().toString(), "status", "--json",
                "-c", daemonA.config().toString()).orThrow();
        assertEquals(new OverlayStatus.Offloads(true, false, true),
                StatusJson.read(status.output().strip()).overlays().getFirst().offloads(),
                "status shows GSO off and the device offloads still on");
        var full = Ping.dontFragment(net.hostA, Topology.HOST_B, 3, 1392);
        assertEquals(3, full.received(), "1420-byte packets cross the tunnel, fragmented on the underlay: " + full.output());
        Summary.line("UnderlayMtuTest", "overlay MTU 1420 over a %s-byte underlay: GSO fell back (%s); TCP A->B %s",
                SMALL_UNDERLAY_MTU, fallback.get(0).replaceAll(".*reason=", "reason="), got.summary());
    }
}

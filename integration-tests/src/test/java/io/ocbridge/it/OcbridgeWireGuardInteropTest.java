package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wire compatibility: ocbridge on gwA, real wireguard-go on gwB. Each side in turn is the initiator (the other has no
 * endpoint for it and can only respond), with and without a preshared key.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(90)
class OcbridgeWireGuardInteropTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);

    enum Initiator { OCBRIDGE, WIREGUARD_GO }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Initiator.OCBRIDGE, false),
                Arguments.of(Initiator.OCBRIDGE, true),
                Arguments.of(Initiator.WIREGUARD_GO, false),
                Arguments.of(Initiator.WIREGUARD_GO, true));
    }

    @ParameterizedTest(name = "{0} initiates, psk={1}")
    @MethodSource("cases")
    void tunnelWorksWithWireGuardGo(Initiator initiator, boolean psk) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + initiator + (psk ? "-psk" : ""));
        var ocbridgeSite = Site.a(net, Keys.generate());
        var wgSite = Site.b(net, Keys.generate());

        var peerForOcbridge = wgSite.asPeer();
        var peerForWg = ocbridgeSite.asPeer();
        if (psk) {
            var file = Keys.writeSecret(net.workDir().resolve("shared.psk"), Keys.presharedKey());
            peerForOcbridge = peerForOcbridge.withPresharedKeyFile(file);
            peerForWg = peerForWg.withPresharedKeyFile(file);
        }
        if (initiator == Initiator.OCBRIDGE) {
            peerForOcbridge = peerForOcbridge.withEndpoint(wgSite.endpoint());
        } else {
            peerForWg = peerForWg.withEndpoint(ocbridgeSite.endpoint());
        }
        var wg = WireGuardGo.start(net, wgSite, "wb", peerForWg);
        OcbridgeDaemon.start(net, ocbridgeSite, "a", peerForOcbridge);

        // Traffic must start on the initiator's LAN: the responder has nowhere to send to yet.
        Netns initiatorLan = initiator == Initiator.OCBRIDGE ? net.hostA : net.hostB;
        Netns responderLan = initiator == Initiator.OCBRIDGE ? net.hostB : net.hostA;
        String initiatorHost = initiator == Initiator.OCBRIDGE ? Topology.HOST_A : Topology.HOST_B;
        String responderHost = initiator == Initiator.OCBRIDGE ? Topology.HOST_B : Topology.HOST_A;

        var first = Ping.until(initiatorLan, responderHost, TUNNEL_UP);
        assertTrue(first.isPresent(), initiatorLan + " -> " + responderHost + ": no reply within " + TUNNEL_UP
                + "\n" + wg.show());
        assertTrue(Ping.until(responderLan, initiatorHost, TUNNEL_UP).isPresent(),
                responderLan + " -> " + initiatorHost + ": no reply\n" + wg.show());
        long handshake = wg.latestHandshakeEpochSeconds();
        assertTrue(handshake > 0, "wireguard-go reports no handshake\n" + wg.show());
        System.out.printf("[interop %s initiates, psk=%s] first reply after %d ms, wireguard-go handshake at %d%n",
                initiator, psk, first.get().toMillis(), handshake);
    }
}

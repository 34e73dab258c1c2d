package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.OverlayStatus;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real {@code wg} against ocbridge's UAPI socket: {@code wg show} and its dump read the peer with a handshake and
 * transfer, {@code wg set} changes a keepalive (seen by {@code ocbridge status}), adds a peer with its route and
 * removes it again. {@code wg} runs in gateway A's namespace; the socket is the shared /var/run/wireguard, hence the
 * PID in the device names.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class WgToolsTest extends LabTest<Topology> {
    private Keys.Pair keysA;
    private Site b;
    private OcbridgeDaemon daemonA;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(TestHost.onPath("wg"), "wireguard-tools (wg) not installed");
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "the UAPI is ocbridge's own");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        keysA = Keys.generate();
        var a = Site.a(net, keysA);
        b = Site.b(net, Keys.generate());
        net.adoptSocket(net.deviceName("a"));
        net.adoptSocket(net.deviceName("b"));
        daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));
    }

    private Cmd.Result wg(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "wg";
        System.arraycopy(args, 0, argv, 1, args.length);
        return net.gwA.exec(argv);
    }

    private OverlayStatus statusA() {
        var result = net.gwA.exec(Duration.ofSeconds(30), OcbridgeDaemon.launcher().toString(), "status", "--socket",
                daemonA.config().resolveSibling("control.sock").toString(), "--json").orThrow();
        return StatusJson.read(result.output().strip()).overlays().getFirst();
    }

    private Optional<OverlayStatus.PeerStatus> peerA(String publicKey) {
        return statusA().peers().stream().filter(p -> p.publicKey().equals(publicKey)).findFirst();
    }

    @Test
    void wgShowAndWgSetWorkAgainstTheDaemon() throws Exception {
        String dev = daemonA.device();
        assertTrue(Files.exists(Lab.WIREGUARD_SOCKETS.resolve(dev + ".sock")), "no UAPI socket for " + dev);
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");

        // wg show: the peer, a latest handshake and transfer.
        String show = wg("show", dev).orThrow().output();
        System.out.println("[ocbridge] wg show " + dev + ":\n" + show);
        assertTrue(show.contains("interface: " + dev), show);
        assertTrue(show.contains("public key: " + keysA.publicKey()), show);
        assertTrue(show.contains("listening port: " + Topology.LISTEN_PORT), show);
        assertTrue(show.contains("peer: " + b.keys().publicKey()), show);
        assertTrue(show.contains("latest handshake:"), show);
        assertTrue(show.contains("transfer:"), show);
        assertTrue(show.lines().anyMatch(l -> l.contains("allowed ips:") && l.contains(Topology.LAN_B)), show);

        // wg show dump: tab-separated, the interface line then one line per peer.
        List<String> dump = wg("show", dev, "dump").orThrow().output().strip().lines().toList();
        assertEquals(2, dump.size(), String.join("\n", dump));
        String[] device = dump.get(0).split("\t");
        assertEquals(4, device.length, dump.get(0));
        assertEquals(keysA.privateKey(), device[0], "root reads the private key, as from wireguard-go");
        assertEquals(keysA.publicKey(), device[1]);
        assertEquals(Integer.toString(Topology.LISTEN_PORT), device[2]);
        String[] peer = dump.get(1).split("\t");
        assertEquals(8, peer.length, dump.get(1));
        assertEquals(b.keys().publicKey(), peer[0]);
        assertEquals(b.endpoint(), peer[2]);
        assertTrue(Arrays.asList(peer[3].split(",")).contains(Topology.LAN_B), peer[3]);
        assertTrue(Long.parseLong(peer[4]) > 0, "latest handshake " + peer[4]);
        assertTrue(Long.parseLong(peer[5]) > 0 && Long.parseLong(peer[6]) > 0, "transfer " + peer[5] + "/" + peer[6]);
        assertEquals(keysA.privateKey(), wg("show", dev, "private-key").orThrow().output().strip());

        // wg set: a keepalive, reflected in ocbridge status.
        wg("set", dev, "peer", b.keys().publicKey(), "persistent-keepalive", "15").orThrow();
        assertEquals(15, peerA(b.keys().publicKey()).orElseThrow().persistentKeepaliveSeconds());
        assertTrue(wg("show", dev, "persistent-keepalive").orThrow().output().contains("\t15"));

        // wg set: a new peer with allowed-ips (and its route), then removed.
        String newPeer = Keys.generate().publicKey();
        wg("set", dev, "peer", newPeer, "allowed-ips", "10.99.0.0/24", "endpoint", "192.0.2.99:51820").orThrow();
        var added = peerA(newPeer).orElseThrow(() -> new AssertionError("peer not added: " + statusA()));
        assertEquals(List.of("10.99.0.0/24"), added.allowedIps());
        assertEquals("192.0.2.99:51820", added.endpoint());
        assertTrue(net.gwA.ip("route", "show", "10.99.0.0/24").output().contains("dev " + dev), "no route added");
        assertTrue(wg("show", dev, "peers").orThrow().output().contains(newPeer));

        wg("set", dev, "peer", newPeer, "remove").orThrow();
        assertFalse(peerA(newPeer).isPresent(), "peer not removed: " + statusA());
        assertFalse(net.gwA.ip("route", "show", "10.99.0.0/24").output().contains("dev " + dev), "route left");

        // Bad input is refused by the daemon, which keeps serving.
        Cmd.Result refused = wg("set", dev, "listen-port", "1");
        assertFalse(refused.ok(), refused.output());
        assertTrue(Ping.run(net.hostA, Topology.HOST_B, 2).received() > 0, "tunnel still up");
        assertTrue(wg("show", dev).ok());
    }
}

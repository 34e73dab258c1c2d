package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segments changed by reload on both gateways while a ping crosses segment {@code lan} every 20 ms: segment
 * {@code lab} (VNI 200, a second bridge {@code br-lab} with a host on each side) is added and carries ARP and ping,
 * is changed (a safeguard, and a member: the enterprise gateway's fake peer {@code site-x} joins), and is removed
 * together with {@code site-x}, its TAP gone. Not one ping on {@code lan} is lost, and neither gateway handshakes
 * again.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(240)
class SegmentReloadTest extends LabTest<L2Topology> {
    private static final String LAB_BRIDGE = "br-lab";
    private static final int LAB_VNI = 200;
    private static final String LAB_HOST_DC = "10.30.0.11";
    private static final String LAB_HOST_CLOUD = "10.30.0.12";
    private static final String VM_ADDRESS = "10.20.0.50";
    private static final int PING_INTERVAL_MILLIS = 20;
    private static final Duration PING_WINDOW = Duration.ofSeconds(40);

    /** A peer of the enterprise gateway only, never up: what a member change adds to {@code lab}. */
    private final Site.Peer siteX = new Site.Peer("site-x", Keys.generate().publicKey(), List.of("10.77.0.9/32"),
            null, null, null);

    @Test
    void aPingOnOneSegmentLosesNothingWhileAnotherIsAddedChangedAndRemoved(TestInfo test) {
        TestHost.assumeL2Capable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "reload is ocbridge's own");
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        Site dc = net.dc;
        Site cloud = net.cloud(0);
        List<Site.Peer> dcPeers = List.of(cloud.asVtepPeer(), siteX);
        List<Site.Peer> cloudPeers = net.peersOf(cloud);
        // lan carries cloud-a alone, so that site-x coming and going leaves it untouched.
        SiteConfig.Segment lanDc = new SiteConfig.Segment(L2Topology.SEGMENT, L2Topology.VNI, net.deviceName("l"),
                L2Topology.BRIDGE, List.of(cloud.name()), null);
        SiteConfig.Segment lanCloud = net.segment("m");
        var daemonDc = OcbridgeDaemon.start(net, dc, "a", dcPeers, List.of(lanDc));
        var daemonCloud = OcbridgeDaemon.start(net, cloud, "b", cloudPeers, List.of(lanCloud));
        net.vm(0).ip("addr", "add", VM_ADDRESS + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        Netns labDc = net.addLanHost(dc, LAB_BRIDGE, "x1", LAB_HOST_DC);
        Netns labCloud = net.addLanHost(cloud, LAB_BRIDGE, "x2", LAB_HOST_CLOUD);
        assertTrue(Ping.until(net.entHost1, VM_ADDRESS, Duration.ofSeconds(15)).isPresent(), "lan does not carry");
        long handshakesDc = completedHandshakes(daemonDc, dc);
        long handshakesCloud = completedHandshakes(daemonCloud, cloud);
        long latestDc = latestHandshake(daemonDc, dc, cloud.name());

        var ping = Ping.trace(net, net.entHost1, VM_ADDRESS, PING_WINDOW, PING_INTERVAL_MILLIS, "ping-lan");
        Wait.sleep(Duration.ofSeconds(1));

        // 1. lab added on both sides: a new TAP in br-lab, and ARP and ping cross it.
        String labTapDc = net.deviceName("x");
        String labTapCloud = net.deviceName("y");
        var labDcSegment = new SiteConfig.Segment("lab", LAB_VNI, labTapDc, LAB_BRIDGE, List.of(cloud.name()), null);
        var labCloudSegment = SiteConfig.Segment.bridged("lab", LAB_VNI, labTapCloud, LAB_BRIDGE);
        reload(daemonDc, dc, dcPeers, List.of(lanDc, labDcSegment), "segment-added overlay=corp segment=lab vni=200");
        reload(daemonCloud, cloud, cloudPeers, List.of(lanCloud, labCloudSegment),
                "segment-added overlay=corp segment=lab vni=200");
        assertTrue(enslaved(dc, labTapDc, LAB_BRIDGE) && enslaved(cloud, labTapCloud, LAB_BRIDGE),
                dc.gateway().ip("-o", "link").output());
        assertTrue(Ping.until(labDc, LAB_HOST_CLOUD, Duration.ofSeconds(10)).isPresent(), "lab does not carry");
        Ping overLab = Ping.run(labDc, LAB_HOST_CLOUD, 5);
        assertEquals(5, overLab.received(), overLab.output());
        L2Checks.neighbourIs(labDc, LAB_HOST_CLOUD, L2Topology.macOf(labCloud));

        // 2. lab changed in place: a safeguard and a member.
        var labChanged = new SiteConfig.Segment("lab", LAB_VNI, labTapDc, LAB_BRIDGE,
                List.of(cloud.name(), siteX.name()), null, List.of("flood-limit: 200"));
        reload(daemonDc, dc, dcPeers, List.of(lanDc, labChanged),
                "segment-updated overlay=corp segment=lab fields=peers,flood-limit");
        Ping stillOverLab = Ping.run(labDc, LAB_HOST_CLOUD, 5);
        assertEquals(5, stillOverLab.received(), stillOverLab.output());

        // 3. lab removed, and with it site-x, whom it carried.
        String removed = reload(daemonDc, dc, List.of(cloud.asVtepPeer()), List.of(lanDc),
                "segment-removed overlay=corp segment=lab");
        assertTrue(removed.contains("peer-removed overlay=corp peer=site-x"), removed);
        reload(daemonCloud, cloud, cloudPeers, List.of(lanCloud), "segment-removed overlay=corp segment=lab");
        assertFalse(dc.gateway().ip("link", "show", "dev", labTapDc).ok(), "the TAP is gone");
        assertFalse(cloud.gateway().ip("link", "show", "dev", labTapCloud).ok(), "the TAP is gone");
        String bridgePorts = dc.gateway().ip("-o", "link", "show", "master", LAB_BRIDGE).output();
        assertFalse(bridgePorts.contains(": " + labTapDc + ":"), bridgePorts);
        assertTrue(bridgePorts.contains(": x1@"), "the LAN host stays in the bridge: " + bridgePorts);
        assertEquals(0, Ping.run(labDc, LAB_HOST_CLOUD, 2).received(), "lab carries nothing any more");

        var exit = ping.awaitExit(PING_WINDOW.plusSeconds(30));
        assertTrue(exit.isPresent(), "ping did not finish");
        Ping lan = Ping.parse(ping.logText());
        assertTrue(lan.transmitted() >= PING_WINDOW.toMillis() / PING_INTERVAL_MILLIS * 9 / 10, ping.logText());
        assertEquals(lan.transmitted(), lan.received(), "pings lost on lan while lab changed");
        assertEquals(handshakesDc, completedHandshakes(daemonDc, dc), "no new handshake on the dc gateway");
        assertEquals(handshakesCloud, completedHandshakes(daemonCloud, cloud), "no new handshake on the cloud gateway");
        assertEquals(latestDc, latestHandshake(daemonDc, dc, cloud.name()));
        System.out.printf(Locale.ROOT, "[ocbridge L2] lan: %d of %d pings (every %d ms) answered while lab was added,"
                + " changed and removed; handshakes %d / %d before and after%n", lan.received(), lan.transmitted(),
                PING_INTERVAL_MILLIS, handshakesDc, handshakesCloud);
    }

    /** Rewrites {@code site}'s config with {@code peers} and {@code segments}, reloads; returns the reply. */
    private String reload(OcbridgeDaemon daemon, Site site, List<Site.Peer> peers, List<SiteConfig.Segment> segments,
            String expected) {
        SiteConfig.write(daemon.config().getParent(), site, daemon.device(), peers, segments);
        Cmd.Result reply = site.gateway().exec(Duration.ofSeconds(60), OcbridgeDaemon.launcher().toString(), "reload",
                "--socket", daemon.config().resolveSibling("control.sock").toString());
        System.out.println("[ocbridge] reload " + site.name() + ":\n" + reply.output());
        assertEquals(0, reply.exitCode(), reply.output());
        assertTrue(reply.output().contains(expected), reply.output());
        assertFalse(reply.output().contains("restart-required"), reply.output());
        assertFalse(reply.output().contains("segment=lan"), "lan is untouched: " + reply.output());
        return reply.output();
    }

    private static boolean enslaved(Site site, String tap, String bridge) {
        String link = site.gateway().ip("-o", "link", "show", "dev", tap).output();
        return link.contains(" master " + bridge + " ") && link.matches("(?s).*[<,]UP[,>].*");
    }

    private static OverlayStatus overlay(OcbridgeDaemon daemon, Site site) {
        return StatusJson.read(SegmentCounters.statusJson(daemon, site.gateway()).strip()).overlays().getFirst();
    }

    private static long completedHandshakes(OcbridgeDaemon daemon, Site site) {
        return overlay(daemon, site).handshakes().get(HandshakeCounters.Event.COMPLETED);
    }

    private static long latestHandshake(OcbridgeDaemon daemon, Site site, String peer) {
        return overlay(daemon, site).peers().stream().filter(p -> p.name().equals(peer)).findFirst().orElseThrow()
                .latestHandshakeEpochSeconds();
    }
}

package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DHCP guard as the example configs set it: {@code dhcp: block} on the datacenter that hosts the DHCP server (no
 * server answers from the cloud, enterprise requests stay local) still lets a cloud VM lease from it, as long as the
 * cloud side allows; {@code dhcp: block} on the cloud side keeps the VM's requests off the tunnel. Hand-made frames
 * ({@link RawFrames}) show the guard is not fooled by odd source ports, IPv6 extension headers or VLAN tags.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class DhcpGuardTest extends LabTest<L2Topology> {
    private static final Duration NO_LEASE_WINDOW = Duration.ofSeconds(6);
    private static final int ROUNDS = 5;
    private static final Duration SNIFF_TIME = Duration.ofSeconds(8);
    /** A port no DHCP party uses: the same frames to it must cross, so only the guard can stop the others. */
    private static final int OTHER_PORT = 9999;

    @Test
    void blockAtTheServersSiteStillLeasesToTheCloud(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc),
                List.of(net.segment("l").with("dhcp: block")));
        OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)),
                List.of(net.segment("m").with("dhcp: allow")));
        var dhcp = net.startDhcpServer();
        String address = L2Checks.leaseAcrossTunnel(net, dhcp, 0);
        System.out.printf(Locale.ROOT, "[ocbridge L2 DHCP guard] dc block, cloud allow: lease %s; dc drop_dhcp_guard %d%n",
                address, SegmentCounters.counter(dc, net.dc.gateway(), "drop_dhcp_guard"));
    }

    @Test
    void blockAtTheCloudKeepsRequestsLocal(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        var cloud = OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)),
                List.of(net.segment("m").with("dhcp: block")));
        var dhcp = net.startDhcpServer();
        var lease = DhcpClient.lease(net, net.vm(0), L2Topology.HOST_DEVICE, NO_LEASE_WINDOW);
        long dropped = SegmentCounters.counter(cloud, net.cloud(0).gateway(), "drop_dhcp_guard");
        assertTrue(lease.isEmpty(), "lease despite dhcp: block on the cloud side: " + lease + ", acks " + dhcp.acks());
        assertTrue(dropped > 0, "cloud drop_dhcp_guard " + dropped);
        System.out.printf(Locale.ROOT, "[ocbridge L2 DHCP guard] cloud block: no lease in %d s, cloud drop_dhcp_guard %d%n",
                NO_LEASE_WINDOW.toSeconds(), dropped);
    }

    /**
     * {@code dhcp: block} on both sites; the cloud VM sends, from an AF_PACKET socket, server messages that used to pass
     * the guard (an offer from an odd source port, 802.1Q- and 802.1ad-tagged offers, a DHCPv6 reply behind extension
     * headers), client messages that used to leave the site (tagged, odd port, behind extension headers), and the same
     * frames to another port. An enterprise host sniffs its LAN: only the other-port frames may arrive.
     */
    @Test
    void craftedDhcpCannotSlipPastTheGuard(TestInfo test) {
        TestHost.assumeL2Capable();
        assumeTrue(TestHost.onPath("python3"), "python3 not found on PATH (scripts/install-deps.sh installs it)");
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc),
                List.of(net.segment("l").with("dhcp: block")));
        var cloud = OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)),
                List.of(net.segment("m").with("dhcp: block")));
        var vm = net.vm(0);
        vm.ip("addr", "add", L2Checks.VM_1 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        assertTrue(Ping.until(vm, L2Topology.ENT_HOST_1, L2Checks.PATH_UP).isPresent(), "segment not up: vm -> e1");

        int q = RawFrames.TYPE_VLAN;
        int ad = RawFrames.TYPE_QINQ;
        List<byte[]> toClients = List.of(                                   // server messages: the dc guard drops them
                RawFrames.udpV4("offer-oddport", 40000, 68),
                RawFrames.udpV4("offer-8021q", 67, 68, q),
                RawFrames.udpV4("offer-qinq", 67, 68, ad, q),
                RawFrames.udpV6BehindExtensionHeaders("reply6-exthdr", 547, 546));
        List<byte[]> toServers = List.of(                                   // client messages: the cloud guard drops them
                RawFrames.udpV4("discover-oddport", 40000, 67),
                RawFrames.udpV4("discover-8021q", 68, 67, q),
                RawFrames.udpV6BehindExtensionHeaders("solicit6-exthdr", 546, 547, q));
        List<byte[]> others = List.of(
                RawFrames.udpV4("other-oddport", 40000, OTHER_PORT),
                RawFrames.udpV4("other-8021q", 67, OTHER_PORT, q),
                RawFrames.udpV4("other-qinq", 67, OTHER_PORT, ad, q),
                RawFrames.udpV6BehindExtensionHeaders("other6-exthdr", 547, OTHER_PORT));
        var all = new ArrayList<byte[]>();
        all.addAll(toClients);
        all.addAll(toServers);
        all.addAll(others);

        long dcBefore = SegmentCounters.counter(dc, net.dc.gateway(), "drop_dhcp_guard");
        long cloudBefore = SegmentCounters.counter(cloud, net.cloud(0).gateway(), "drop_dhcp_guard");
        var sniffer = RawFrames.sniff(net, net.entHost1, L2Topology.HOST_DEVICE, SNIFF_TIME);
        RawFrames.send(net, vm, L2Topology.HOST_DEVICE, all, ROUNDS);
        Map<String, Integer> seen = RawFrames.seen(sniffer, SNIFF_TIME.plusSeconds(15));
        long dcDropped = SegmentCounters.counter(dc, net.dc.gateway(), "drop_dhcp_guard") - dcBefore;
        long cloudDropped = SegmentCounters.counter(cloud, net.cloud(0).gateway(), "drop_dhcp_guard") - cloudBefore;
        Summary.line("DhcpGuardTest", "crafted frames, %d rounds: seen on the enterprise LAN %s; dc drop_dhcp_guard %d"
                + " (server messages sent %d), cloud drop_dhcp_guard %d (client messages sent %d)", ROUNDS, seen,
                dcDropped, toClients.size() * ROUNDS, cloudDropped, toServers.size() * ROUNDS);

        for (String label : List.of("other-oddport", "other-8021q", "other-qinq", "other6-exthdr")) {
            assertEquals(ROUNDS, seen.getOrDefault(label, 0), label + " should cross the segment: " + seen);
        }
        assertEquals(4, seen.size(), "only the other-port frames may cross: " + seen);
        assertTrue(dcDropped >= toClients.size() * ROUNDS, "dc drop_dhcp_guard " + dcDropped);
        assertTrue(cloudDropped >= toServers.size() * ROUNDS, "cloud drop_dhcp_guard " + cloudDropped);
    }
}

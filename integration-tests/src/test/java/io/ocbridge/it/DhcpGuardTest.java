package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The DHCP guard as the example configs set it: {@code dhcp: block} on the datacenter that hosts the DHCP server (no
 * server answers from the cloud, enterprise requests stay local) still lets a cloud VM lease from it, as long as the
 * cloud side allows; {@code dhcp: block} on the cloud side keeps the VM's requests off the tunnel.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class DhcpGuardTest extends LabTest<L2Topology> {
    private static final Duration NO_LEASE_WINDOW = Duration.ofSeconds(6);

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
}

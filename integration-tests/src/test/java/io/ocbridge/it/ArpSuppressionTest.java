package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ARP suppression (on by default): once the enterprise gateway has learned a cloud VM's address from an ARP that
 * crossed the tunnel, an enterprise host's ARP request for it is answered by its own gateway; the request does not
 * cross, and the answer names the VM's real MAC.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class ArpSuppressionTest extends LabTest<L2Topology> {

    @Test
    void enterpriseArpForACloudVmIsAnsweredLocally(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        var cloud = OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)), List.of(net.segment("m")));
        var vm = net.vm(0);
        vm.ip("addr", "add", L2Checks.VM_1 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        // The VM's ARP for the enterprise host crosses the tunnel: the DC gateway learns 10.20.0.201 -> the VM's MAC.
        assertTrue(Ping.until(vm, L2Topology.ENT_HOST_1, L2Checks.PATH_UP).isPresent(), "vm -> enterprise host");
        long remoteArpsBefore = SegmentCounters.counter(cloud, net.cloud(0).gateway(), "remote_frames");

        net.entHost2.ip("neigh", "flush", "all");
        var p = Ping.run(net.entHost2, L2Checks.VM_1, 3);
        assertEquals(3, p.received(), p.output());
        L2Checks.neighbourIs(net.entHost2, L2Checks.VM_1, L2Topology.macOf(vm));
        long suppressed = SegmentCounters.counter(dc, net.dc.gateway(), "arp_suppressed");
        assertTrue(suppressed > 0, "arp_suppressed " + suppressed);
        System.out.printf("[ocbridge L2 ARP suppression] enterprise ARPs answered locally: %d (cloud saw %d frames"
                + " before)%n", suppressed, remoteArpsBefore);
    }
}

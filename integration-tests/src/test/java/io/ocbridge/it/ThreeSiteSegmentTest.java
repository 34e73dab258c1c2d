package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ocbridge on three gateways in a full mesh (each cloud gateway has the other as a peer too), one segment on all:
 * a VM in cloud 1 reaches a VM in cloud 2 and the enterprise, and no frame arrives twice (no flooding loop between
 * the VXLAN peers: a frame received from one peer is never sent on to another).
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class ThreeSiteSegmentTest extends LabTest<L2Topology> {

    @Test
    void vmsInTwoCloudsReachEachOtherWithoutDuplicates(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 2);
        OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)), List.of(net.segment("m")));
        OcbridgeDaemon.start(net, net.cloud(1), "c", net.peersOf(net.cloud(1)), List.of(net.segment("n")));
        var p = L2Checks.vmToVmExactlyOnce(net);
        var toEnterprise = Ping.verbose(net.vm(1), L2Topology.ENT_HOST_1, L2Checks.PINGS);
        assertEquals(L2Checks.PINGS, toEnterprise.received(), toEnterprise.output());
        assertFalse(toEnterprise.output().contains("DUP!"), toEnterprise.output());
        System.out.printf(Locale.ROOT, "[ocbridge L2 three sites] vm1->vm2 %d/%d, RTT avg %.3f ms%n",
                p.received(), p.transmitted(), p.avgRttMs());
    }
}

package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hub mode: the clouds peer only with the enterprise gateway, whose segment has {@code relay: true}; a VM in cloud 1
 * reaches a VM in cloud 2 through the hub, each ping answered exactly once, and the hub counts what it relayed.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class HubSegmentTest extends LabTest<L2Topology> {

    @Test
    void spokesReachEachOtherThroughTheRelayingHub(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 2);
        var hub = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc),
                List.of(net.segment("l").with("relay: true")));
        OcbridgeDaemon.start(net, net.cloud(0), "b", List.of(net.dc.asVtepPeer()), List.of(net.segment("m")));
        OcbridgeDaemon.start(net, net.cloud(1), "c", List.of(net.dc.asVtepPeer()), List.of(net.segment("n")));
        var p = L2Checks.vmToVmExactlyOnce(net);
        long relayed = SegmentCounters.counter(hub, net.dc.gateway(), "relayed");
        assertTrue(relayed >= 2 * L2Checks.PINGS, "hub relayed " + relayed + " frames");
        var toEnterprise = Ping.verbose(net.vm(1), L2Topology.ENT_HOST_1, L2Checks.PINGS);
        assertEquals(L2Checks.PINGS, toEnterprise.received(), toEnterprise.output());
        assertEquals(0, toEnterprise.duplicates(), toEnterprise.output());
        System.out.printf(Locale.ROOT, "[ocbridge L2 hub] vm1->vm2 via hub %d/%d, RTT avg %.3f ms, relayed %d%n",
                p.received(), p.transmitted(), p.avgRttMs(), relayed);
    }
}

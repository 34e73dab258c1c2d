package io.ocbridge.it;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Wire compatibility of segments: ocbridge on the enterprise gateway, the stock stack on the cloud gateway (wireguard-go
 * with MTU {@value L2Topology#KERNEL_VXLAN_WG_MTU} and a kernel {@code vxlan} device, VNI 100, port 4789, in br-lan).
 * Same VXLAN on the wire (RFC 7348) both ways, full-size frames included.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class L2InteropTest extends LabTest<L2Topology> {

    @Test
    void ocbridgeSegmentInteroperatesWithKernelVxlan(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        net.attachKernelVxlan(net.cloud(0), "w1");
        OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        var dhcp = net.startDhcpServer();
        var vm = net.vm(0);

        String vmAddress = L2Checks.leaseAcrossTunnel(net, dhcp, 0);
        double[] rtt = L2Checks.pingsBothWays(vm, vmAddress, net.entHost1, L2Topology.ENT_HOST_1);
        L2Checks.fullSizeFrames(vm, L2Topology.ENT_HOST_1);
        L2Checks.fullSizeFrames(net.entHost1, vmAddress);
        System.out.printf(Locale.ROOT, "[interop L2 ocbridge <-> wireguard-go + kernel vxlan] RTT avg vm->entHost1"
                + " %.3f ms, entHost1->vm %.3f ms%n", rtt[0], rtt[1]);
    }
}

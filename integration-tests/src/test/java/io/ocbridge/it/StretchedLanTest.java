package io.ocbridge.it;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #3 end to end, ocbridge on both gateways: the enterprise LAN 10.20.0.0/24 stretched to a cloud VM as VXLAN
 * (VNI 100) inside the WireGuard tunnel, each daemon's TAP enslaved into its site's br-lan. The VM is configured the
 * way a real one is, by DHCP from the enterprise's server, and then behaves as if it were on the enterprise LAN.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class StretchedLanTest extends LabTest<L2Topology> {
    static final long PAYLOAD_BYTES = 100L * 1024 * 1024;
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(120);

    @Test
    void cloudVmJoinsTheEnterpriseLan(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        var cloud = net.cloud(0);
        OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        OcbridgeDaemon.start(net, cloud, "b", net.peersOf(cloud), List.of(net.segment("m")));
        var dhcp = net.startDhcpServer();
        var vm = net.vm(0);

        String vmAddress = L2Checks.leaseAcrossTunnel(net, dhcp, 0);
        double[] rtt = L2Checks.pingsBothWays(vm, vmAddress, net.entHost1, L2Topology.ENT_HOST_1);
        L2Checks.neighbourIs(net.entHost1, vmAddress, L2Topology.macOf(vm));
        L2Checks.fullSizeFrames(vm, L2Topology.ENT_HOST_1);
        L2Checks.fullSizeFrames(net.entHost1, vmAddress);
        var got = L2Checks.transfer(net, vm, net.entHost1, L2Topology.ENT_HOST_1, PAYLOAD_BYTES, TRANSFER_TIMEOUT);
        System.out.printf(Locale.ROOT, "[ocbridge L2] RTT avg vm->entHost1 %.3f ms, entHost1->vm %.3f ms;"
                + " vm->entHost1 TCP: %s%n", rtt[0], rtt[1], got.summary());
    }
}

package io.ocbridge.it;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The L2 yardstick: the stretched segment built the stock way on every gateway (wireguard-go, MTU 1600, plus a kernel
 * vxlan in the site's bridge). It validates {@link L2Topology}, dnsmasq and udhcpc, and prints the figures ocbridge's
 * segments are compared against. It must pass whatever state ocbridge is in.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class ReferenceL2Test extends LabTest<L2Topology> {
    static final long PAYLOAD_BYTES = 100L * 1024 * 1024;
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void stretchesTheLanAcrossTheTunnel(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        net.attachKernelVxlan(net.dc, "wd");
        net.attachKernelVxlan(net.cloud(0), "w1");
        var dhcp = net.startDhcpServer();
        var vm = net.vm(0);

        String vmAddress = L2Checks.leaseAcrossTunnel(net, dhcp, 0);
        double[] rtt = L2Checks.pingsBothWays(vm, vmAddress, net.entHost1, L2Topology.ENT_HOST_1);
        L2Checks.neighbourIs(net.entHost1, vmAddress, L2Topology.macOf(vm));
        L2Checks.fullSizeFrames(vm, L2Topology.ENT_HOST_1);
        L2Checks.fullSizeFrames(net.entHost1, vmAddress);
        var got = L2Checks.transfer(net, vm, net.entHost1, L2Topology.ENT_HOST_1, PAYLOAD_BYTES, TRANSFER_TIMEOUT);
        System.out.printf(Locale.ROOT, "[reference L2 wireguard-go + kernel vxlan] RTT avg vm->entHost1 %.3f ms,"
                + " entHost1->vm %.3f ms; vm->entHost1 TCP: %s%n", rtt[0], rtt[1], got.summary());
    }

    @Test
    void threeSiteFullMeshDeliversEachFrameOnce(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 2);
        net.attachKernelVxlan(net.dc, "wd");
        net.attachKernelVxlan(net.cloud(0), "w1");
        net.attachKernelVxlan(net.cloud(1), "w2");
        var p = L2Checks.vmToVmExactlyOnce(net);
        System.out.printf(Locale.ROOT, "[reference L2 three sites] vm1->vm2 %d/%d, RTT avg %.3f ms%n",
                p.received(), p.transmitted(), p.avgRttMs());
    }
}

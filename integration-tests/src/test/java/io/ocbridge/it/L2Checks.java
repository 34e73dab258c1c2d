package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.cli.demo.LinkChecks;
import java.time.Duration;
import java.util.Locale;

/**
 * The checks every stretched-segment test makes, whatever carries the segment: a lease across the tunnel, pings both
 * ways, full-size frames, a byte-exact bulk transfer. Each asserts, and returns what a test prints. Reading ping's
 * summary and iproute2's output is the demo's ({@link io.ocbridge.cli.demo.PingCommand}, {@link LinkChecks}), which
 * makes the same checks and fails a step instead.
 */
final class L2Checks {
    /** Upper bound for a lease across the tunnel, handshake included. */
    static final Duration LEASE_TIMEOUT = Duration.ofSeconds(20);
    static final Duration PATH_UP = Duration.ofSeconds(10);
    static final int PINGS = 10;

    /** Static addresses of the VMs in the three-site tests, outside the DHCP range. */
    static final String VM_1 = "10.20.0.201";
    static final String VM_2 = "10.20.0.202";

    private L2Checks() {}

    /** The VM of cloud {@code i} takes a lease from the enterprise dnsmasq; returns its address, inside the range. */
    static String leaseAcrossTunnel(L2Topology net, DhcpServer server, int i) {
        var vm = net.vm(i);
        long startNs = System.nanoTime();
        var lease = DhcpClient.lease(net, vm, L2Topology.HOST_DEVICE, LEASE_TIMEOUT);
        assertTrue(lease.isPresent(), vm + ": no DHCP lease within " + LEASE_TIMEOUT + "; dnsmasq acks " + server.acks());
        String address = lease.get();
        assertTrue(inDhcpRange(address), "lease " + address + " outside " + L2Topology.DHCP_FIRST + "-"
                + L2Topology.DHCP_LAST);
        assertTrue(server.acks().stream().anyMatch(line -> line.contains(address)),
                "dnsmasq did not hand out " + address + ": " + server.acks());
        System.out.printf(Locale.ROOT, "  lease %s for %s after %d ms%n", address, vm,
                Duration.ofNanos(System.nanoTime() - startNs).toMillis());
        return address;
    }

    static boolean inDhcpRange(String address) {
        int last = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
        return address.startsWith("10.20.0.") && last >= 100 && last <= 150;
    }

    /** {@value #PINGS} pings each way, all answered, none duplicated; returns the two average RTTs (ms). */
    static double[] pingsBothWays(Netns a, String addressA, Netns b, String addressB) {
        assertTrue(Ping.until(a, addressB, PATH_UP).isPresent(), a + " -> " + addressB + ": no reply within " + PATH_UP);
        var ab = Ping.run(a, addressB, PINGS);
        var ba = Ping.run(b, addressA, PINGS);
        assertEquals(PINGS, ab.received(), a + " -> " + addressB + "\n" + ab.output());
        assertEquals(PINGS, ba.received(), b + " -> " + addressA + "\n" + ba.output());
        assertEquals(0, ab.duplicates(), "duplicate replies\n" + ab.output());
        assertEquals(0, ba.duplicates(), "duplicate replies\n" + ba.output());
        return new double[] {ab.avgRttMs(), ba.avgRttMs()};
    }

    /** {@code ping -M do -s 1472}: 1500-byte packets, full-size Ethernet frames, cross the segment unfragmented. */
    static Ping fullSizeFrames(Netns from, String to) {
        var p = Ping.dontFragment(from, to, 5, L2Topology.FULL_SIZE_PING_PAYLOAD);
        assertEquals(5, p.received(), from + " -> " + to + " ping -M do -s " + L2Topology.FULL_SIZE_PING_PAYLOAD
                + "\n" + p.output());
        return p;
    }

    /** Sends {@code bytes} of pseudo-random data by TCP and checks length and SHA-256 on arrival. */
    static Transfer.Result transfer(Lab lab, Netns from, Netns to, String toAddress, long bytes, Duration timeout) {
        var payload = Transfer.payload(lab.workDir().resolve("payload"), bytes, 0x0cb);
        var got = Transfer.send(lab, from, to, toAddress, payload, timeout);
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        return got;
    }

    /** {@code ip neigh} of {@code ns} for {@code address} names {@code mac}. */
    static void neighbourIs(Netns ns, String address, String mac) {
        String neigh = ns.ip("neigh", "show", address).output();
        assertTrue(LinkChecks.neighbourIs(neigh, mac),
                ns + ": neighbour " + address + " should be " + mac + ", ip neigh says: " + neigh
                        + ns.ip("neigh", "show").output());
    }

    /**
     * Static addresses on the VMs of clouds 1 and 2; {@value #PINGS} pings VM1 -> VM2, each answered exactly once (no
     * {@code DUP!}: a frame flooded to every VXLAN peer must not come back through another one).
     */
    static Ping vmToVmExactlyOnce(L2Topology net) {
        net.vm(0).ip("addr", "add", VM_1 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        net.vm(1).ip("addr", "add", VM_2 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        assertTrue(Ping.until(net.vm(0), VM_2, PATH_UP).isPresent(), "vm1 -> vm2: no reply within " + PATH_UP);
        var p = Ping.verbose(net.vm(0), VM_2, PINGS);
        assertEquals(PINGS, p.transmitted(), p.output());
        assertEquals(PINGS, p.received(), p.output());
        assertFalse(p.output().contains("DUP!"), "duplicate replies:\n" + p.output());
        assertEquals(0, p.duplicates(), p.output());
        return p;
    }
}

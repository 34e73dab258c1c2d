package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A VM's MAC moves from cloud 1 to cloud 2 (as after a migration): the enterprise gateway relearns it and traffic
 * follows within seconds. Then the same MAC answers from both clouds at once (a duplicate, or a loop): the enterprise
 * gateway counts the flapping and damps the MAC. And a peer that sends as an enterprise host (its MAC spoofed from a
 * cloud VM) loses against the enterprise side: the MAC is frozen to the local LAN, not to the peer.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class MacMoveTest extends LabTest<L2Topology> {
    private static final String MAC = "02:0c:b0:00:00:01";
    private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(5);

    @Test
    void trafficFollowsAMovedMacAndFlappingIsCountedAndDamped(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 2);
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)), List.of(net.segment("m")));
        OcbridgeDaemon.start(net, net.cloud(1), "c", net.peersOf(net.cloud(1)), List.of(net.segment("n")));
        var vm1 = net.vm(0);
        var vm2 = net.vm(1);
        configure(vm1, L2Checks.VM_1);
        assertTrue(Ping.until(net.entHost1, L2Checks.VM_1, L2Checks.PATH_UP).isPresent(), "enterprise -> vm in cloud 1");

        // Move: the VM stops in cloud 1 and starts in cloud 2 with the same MAC and address.
        vm1.ip("link", "set", L2Topology.HOST_DEVICE, "down").orThrow();
        long startNs = System.nanoTime();
        configure(vm2, L2Checks.VM_1);
        vm2.exec("ping", "-n", "-c", "1", "-W", "1", L2Topology.ENT_HOST_1);  // the moved VM speaks first
        var followed = Ping.until(net.entHost1, L2Checks.VM_1, FOLLOWS_WITHIN);
        assertTrue(followed.isPresent(), "traffic did not follow the MAC to cloud 2 within " + FOLLOWS_WITHIN);
        var after = Ping.run(net.entHost1, L2Checks.VM_1, 5);
        assertEquals(5, after.received(), after.output());
        long moved = SegmentCounters.counter(dc, net.dc.gateway(), "mac_moved");
        assertTrue(moved >= 1, "mac_moved " + moved);
        Summary.line("MacMoveTest", "MAC move: traffic followed after %d ms (mac_moved %d)",
                Duration.ofNanos(System.nanoTime() - startNs).toMillis(), moved);

        // Flap: both clouds send with the same source MAC, five frames a second each, for a bounded window.
        vm1.ip("addr", "flush", "dev", L2Topology.HOST_DEVICE).orThrow();
        vm1.ip("addr", "add", L2Checks.VM_2 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        vm1.ip("link", "set", L2Topology.HOST_DEVICE, "up").orThrow();
        // Static neighbours: each VM keeps sending even though replies reach only one of them.
        for (var vm : List.of(vm1, vm2)) {
            vm.ip("neigh", "replace", L2Topology.ENT_HOST_1, "lladdr", L2Topology.macOf(net.entHost1), "dev",
                    L2Topology.HOST_DEVICE, "nud", "permanent").orThrow();
            vm.ip("neigh", "replace", L2Topology.ENT_HOST_2, "lladdr", L2Topology.macOf(net.entHost2), "dev",
                    L2Topology.HOST_DEVICE, "nud", "permanent").orThrow();
        }
        Duration window = Duration.ofSeconds(4);
        try (var pingers = Executors.newFixedThreadPool(2)) {  // truly concurrent, whatever the common pool's size
            var one = CompletableFuture.supplyAsync(() -> Ping.during(vm1, L2Topology.ENT_HOST_1, window), pingers);
            var two = CompletableFuture.supplyAsync(() -> Ping.during(vm2, L2Topology.ENT_HOST_2, window), pingers);
            one.join();
            two.join();
        }
        String status = SegmentCounters.statusJson(dc, net.dc.gateway());
        long flapping = SegmentCounters.counter(status, "mac_flapping");
        long damped = SegmentCounters.counter(status, "mac_damped");
        long dropped = SegmentCounters.counter(status, "drop_mac_damped");
        assertTrue(flapping > 0, "mac_flapping " + flapping + "\n" + status);
        assertTrue(damped > 0 && dropped > 0, "mac_damped " + damped + ", drop_mac_damped " + dropped + "\n" + status);
        Summary.line("MacMoveTest", "MAC flap: mac_flapping %d, mac_damped %d, drop_mac_damped %d",
                flapping, damped, dropped);
    }

    @Test
    void aPeerSpoofingAnEnterpriseHostsMacIsDampedInFavourOfTheLocalSide(TestInfo test) {
        TestHost.assumeL2Capable();
        assumeTrue(TestHost.onPath("python3"), "python3 not found on PATH (scripts/install-deps.sh installs it)");
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l")));
        OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)), List.of(net.segment("m")));
        var vm = net.vm(0);
        vm.ip("addr", "add", L2Checks.VM_1 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        assertTrue(Ping.until(net.entHost1, L2Checks.VM_1, L2Checks.PATH_UP).isPresent(), "enterprise -> vm");

        // The VM sends broadcasts as entHost1, 20 a second, while entHost1 talks to it 5 times a second.
        int rounds = 60;
        byte[] spoofed = RawFrames.fromMac(RawFrames.udpV4("spoofed", 40000, 9999), L2Topology.macOf(net.entHost1));
        var sniffer = RawFrames.sniff(net, net.entHost2, L2Topology.HOST_DEVICE, Duration.ofSeconds(6));
        try (var pinger = Executors.newSingleThreadExecutor()) {
            var talking = CompletableFuture.supplyAsync(
                    () -> Ping.during(net.entHost1, L2Checks.VM_1, Duration.ofSeconds(4)), pinger);
            RawFrames.send(net, vm, L2Topology.HOST_DEVICE, List.of(spoofed), rounds);
            talking.join();
        }
        Map<String, Integer> seen = RawFrames.seen(sniffer, Duration.ofSeconds(20));
        String status = SegmentCounters.statusJson(dc, net.dc.gateway());
        long damped = SegmentCounters.counter(status, "mac_damped");
        long dropped = SegmentCounters.counter(status, "drop_mac_damped");
        var after = Ping.run(net.entHost2, L2Topology.ENT_HOST_1, 3);
        int crossed = seen.getOrDefault("spoofed", 0);
        Summary.line("MacMoveTest", "spoofed enterprise MAC: %d of %d frames reached the enterprise LAN;"
                + " dc mac_damped %d, drop_mac_damped %d; enterprise ping afterwards %d/3", crossed, rounds, damped,
                dropped, after.received());
        assertTrue(damped >= 1, "mac_damped " + damped + "\n" + status);
        assertTrue(crossed <= rounds / 2, crossed + " of " + rounds + " spoofed frames reached the enterprise LAN");
        assertTrue(dropped >= rounds / 2, "drop_mac_damped " + dropped);
        assertEquals(3, after.received(), "entHost2 -> entHost1 after the attack\n" + after.output());
    }

    private static void configure(Netns vm, String address) {
        vm.ip("link", "set", L2Topology.HOST_DEVICE, "down").orThrow();
        vm.ip("link", "set", L2Topology.HOST_DEVICE, "address", MAC).orThrow();
        vm.ip("addr", "flush", "dev", L2Topology.HOST_DEVICE).orThrow();
        vm.ip("addr", "add", address + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        vm.ip("link", "set", L2Topology.HOST_DEVICE, "up").orThrow();
    }
}

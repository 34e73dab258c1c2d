package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An active/standby pair of DC gateways under real keepalived ({@link HaTopology}): both run the same site and key
 * with {@code ha: follow-address}; keepalived moves the WAN and LAN virtual addresses, the daemons follow. The enterprise
 * host reaches a routed cloud VM (L3) and a VM on the stretched LAN (L2) while the active gateway dies and comes back.
 * Prints the gaps; the goals (at most 1 s with {@code advert_int 0.1}) are read off the summary, not asserted.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class GatewayHaTest extends LabTest<HaTopology> {
    private static final Duration UP = Duration.ofSeconds(20);
    private static final Duration RECOVERY = Duration.ofSeconds(15);
    private static final int TRACE_INTERVAL_MILLIS = 50;
    private static final List<String> HA = List.of("ha:", "  follow-address: " + HaTopology.WAN_VIP);

    private OcbridgeDaemon d1;
    private OcbridgeDaemon d2;
    private Keepalived keepalived1;
    private Keepalived keepalived2;

    private OcbridgeDaemon cloudDaemon;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeL2Capable();
        net = HaTopology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        cloudDaemon = OcbridgeDaemon.start(net, net.cloudSite(), "oc", List.of(net.dcAsPeer()), List.of(net.segment("tc")));
        d1 = startDc(1);
        d2 = startDc(2);
        assertEquals("standby", role(d1, net.d1), "no virtual address yet: both gateways wait");
        keepalived1 = net.startKeepalived(1);
        assertTrue(Wait.until(UP, () -> HaTopology.holds(net.d1, HaTopology.WAN_VIP)
                && HaTopology.holds(net.d1, HaTopology.LAN_VIP)), "keepalived on d1 never took the VIPs");
        keepalived2 = net.startKeepalived(2);
        assertTrue(Ping.until(net.ent, HaTopology.VM_ROUTED, UP).isPresent(), "ent -> routed VM before any failure");
        assertTrue(Ping.until(net.ent, HaTopology.VM_STRETCHED, UP).isPresent(), "ent -> stretched VM before any failure");
        assertEquals("active", role(d1, net.d1));
        assertEquals("standby", role(d2, net.d2));
    }

    private OcbridgeDaemon startDc(int n) {
        return OcbridgeDaemon.start(net, net.dcSite(n), "o" + n, List.of(net.cloudAsPeer()),
                List.of(net.segment("t" + n)), HA);
    }

    @Test
    void failoverAndFailbackKeepBothVmsReachable() {
        var l3 = Ping.trace(net, net.ent, HaTopology.VM_ROUTED, Duration.ofSeconds(60), TRACE_INTERVAL_MILLIS, "trace-l3");
        var l2 = Ping.trace(net, net.ent, HaTopology.VM_STRETCHED, Duration.ofSeconds(60), TRACE_INTERVAL_MILLIS,
                "trace-l2");
        Wait.sleep(Duration.ofSeconds(2));

        crashD1();
        assertTrue(Wait.until(RECOVERY, () -> HaTopology.holds(net.d2, HaTopology.WAN_VIP)), "d2 never took over");
        assertTrue(Wait.until(RECOVERY, () -> "active".equals(role(d2, net.d2))), "d2's daemon did not follow the VIP");
        Wait.sleep(Duration.ofSeconds(4));
        var failover = gaps(l3, l2);
        assertTrue(failover.l3().compareTo(RECOVERY) < 0 && failover.l2().compareTo(RECOVERY) < 0,
                "after failover: " + failover);

        // d1 comes back as a rebooted host would: no stale VIPs, links up, daemon first, then keepalived preempts.
        net.d1.ip("addr", "del", HaTopology.WAN_VIP + "/24", "dev", HaTopology.WAN_DEVICE);
        net.d1.ip("addr", "del", HaTopology.LAN_VIP + "/24", "dev", HaTopology.BRIDGE);
        HaTopology.linksUp(net.d1);
        d1.startAgain();
        assertEquals("standby", role(d1, net.d1));
        var l3Back = Ping.trace(net, net.ent, HaTopology.VM_ROUTED, Duration.ofSeconds(30), TRACE_INTERVAL_MILLIS,
                "trace-l3-failback");
        var l2Back = Ping.trace(net, net.ent, HaTopology.VM_STRETCHED, Duration.ofSeconds(30), TRACE_INTERVAL_MILLIS,
                "trace-l2-failback");
        Wait.sleep(Duration.ofSeconds(2));
        keepalived1 = net.startKeepalived(1);
        assertTrue(Wait.until(RECOVERY, () -> HaTopology.holds(net.d1, HaTopology.WAN_VIP)
                && !HaTopology.holds(net.d2, HaTopology.WAN_VIP)), "d1 did not preempt");
        assertTrue(Wait.until(RECOVERY, () -> "active".equals(role(d1, net.d1)) && "standby".equals(role(d2, net.d2))),
                "the daemons did not follow the preemption");
        Wait.sleep(Duration.ofSeconds(4));
        var failback = gaps(l3Back, l2Back);
        assertTrue(failback.l3().compareTo(RECOVERY) < 0 && failback.l2().compareTo(RECOVERY) < 0,
                "after failback: " + failback);
        Summary.line("GatewayHaTest", "keepalived advert_int %s, ping every %d ms: failover (d1 SIGKILL + links down)"
                        + " L3 gap %d ms, L2 gap %d ms; failback (d1 preempts) L3 gap %d ms, L2 gap %d ms",
                Keepalived.ADVERT_INTERVAL, TRACE_INTERVAL_MILLIS, failover.l3().toMillis(), failover.l2().toMillis(),
                failback.l3().toMillis(), failback.l2().toMillis());
    }

    @Test
    void aTransferSurvivesFailoverByteExact() throws Exception {
        var payload = Transfer.payload(net.workDir().resolve("payload"), 100L << 20, 11);
        var transfer = CompletableFuture.supplyAsync(() -> Transfer.send(net, net.ent, net.vm1, HaTopology.VM_ROUTED,
                payload, Duration.ofSeconds(90)));
        Wait.until(Duration.ofSeconds(10), () -> net.vm1.rxBytes("eth0") > (20L << 20));
        long before = net.vm1.rxBytes("eth0");
        assertTrue(before > (20L << 20) && !transfer.isDone(), "transfer not under way: " + before + " bytes");
        long crashNs = System.nanoTime();
        crashD1();
        var result = transfer.get(120, TimeUnit.SECONDS);
        long doneNs = System.nanoTime();
        assertEquals(payload.bytes(), result.bytes());
        assertEquals(payload.sha256(), result.sha256(), "byte-exact through the failover");
        Summary.line("GatewayHaTest", "100 MiB TCP transfer ent -> routed VM, d1 crashed after %d MiB: byte-exact, "
                        + "total %.1f s, crash -> end %.1f s", before >> 20, result.nanos() / 1e9,
                (doneNs - crashNs) / 1e9);
    }

    @Test
    void inSteadyStateTheStandbyIsSilentAndNothingIsDuplicated() {
        // nftables in d2 counts every UDP datagram its daemon's socket sends: the proof does not rely on our counters.
        net.d2.exec("nft", "add table inet ocbha").orThrow();
        net.d2.exec("nft", "add chain inet ocbha out { type filter hook output priority 0 ; }").orThrow();
        net.d2.exec("nft", "add rule inet ocbha out udp sport " + Topology.LISTEN_PORT + " counter").orThrow();
        OverlayStatus before = OverlayCounters.read(d2, net.d2);

        Ping l2 = Ping.verbose(net.ent, HaTopology.VM_STRETCHED, 25);
        Ping l3 = Ping.verbose(net.ent, HaTopology.VM_ROUTED, 25);

        OverlayStatus after = OverlayCounters.read(d2, net.d2);
        String nft = net.d2.exec("nft", "list chain inet ocbha out").orThrow().output();
        long packets = Long.parseLong(nft.replaceAll("(?s).*counter packets (\\d+).*", "$1"));
        assertEquals(25, l2.received(), l2.output());
        assertEquals(0, l2.duplicates(), "both gateways' TAPs sit in the LAN; only the active one carries frames");
        assertEquals(25, l3.received(), l3.output());
        assertEquals(0, l3.duplicates());
        assertEquals(0, packets, "datagrams d2's tunnel socket sent while standby:\n" + nft);
        assertEquals(0, OverlayCounters.handshakes(before, after, HandshakeCounters.Event.INITIATION_SENT)
                + after.peers().getFirst().txPackets());
        SiteStatus status = StatusJson.read(SegmentCounters.statusJson(d2, net.d2).strip());
        assertEquals(HaTopology.WAN_VIP, status.followAddress());

        // How fast the daemon follows the address: put it on d2's loopback by hand, read the daemon's log line's time.
        keepalived2.crash();  // so keepalived does not take it back off
        Instant added = Instant.now();
        net.d2.ip("addr", "add", HaTopology.WAN_VIP + "/32", "dev", "lo").orThrow();
        assertTrue(Wait.until(Duration.ofSeconds(5), () -> d2.process().logText().contains("ha-active")),
                "d2 did not follow the address");
        Instant followed = d2.process().logText().lines().filter(l -> l.contains(" ha-active "))
                .map(l -> Instant.parse(l.substring(0, l.indexOf(' ')))).findFirst().orElseThrow();
        net.d2.ip("addr", "del", HaTopology.WAN_VIP + "/32", "dev", "lo").orThrow();
        Summary.line("GatewayHaTest", "steady state: 25 L2 + 25 L3 pings through the active gateway, 0 duplicates;"
                        + " standby sent %d datagrams (nftables), dropped %d LAN frames; address added -> daemon active"
                        + " %d ms", packets, after.segments().getFirst().counters().getOrDefault(
                        io.ocbridge.core.l2.SegmentCounters.Event.DROP_STANDBY, 0L),
                Duration.between(added, followed).toMillis());
    }

    /** d1's host dies: its daemon and keepalived are SIGKILLed (no priority-0 advert) and its links go down. */
    private void crashD1() {
        d1.kill();
        keepalived1.crash();
        HaTopology.linksDown(net.d1);
    }

    private record Gaps(Duration l3, Duration l2) {}

    /** Stops both traces and reads their longest outage, up to now. */
    private static Gaps gaps(Background l3, Background l2) {
        Instant end = Instant.now();
        l3.stop();
        l2.stop();
        return new Gaps(Ping.longestGap(l3.logText(), end).orElseThrow(() -> new AssertionError("no L3 replies: "
                        + l3.logText())),
                Ping.longestGap(l2.logText(), end).orElseThrow(() -> new AssertionError("no L2 replies: "
                        + l2.logText())));
    }

    private static String role(OcbridgeDaemon daemon, Netns gateway) {
        return StatusJson.read(SegmentCounters.statusJson(daemon, gateway).strip()).role();
    }
}

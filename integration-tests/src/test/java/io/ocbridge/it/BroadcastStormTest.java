package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #3 test 6, the storm half: an enterprise host floods the stretched LAN with broadcasts (bounded in time and
 * count) while a cloud VM pings and sends bulk TCP to another enterprise host. With {@code flood-limit} on the segment,
 * the enterprise gateway drops the excess ({@code drop_flood_limit}), no more broadcasts reach the cloud than the limit
 * allows (rate times duration plus one second's burst), and the unicast traffic keeps flowing.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class BroadcastStormTest extends LabTest<L2Topology> {
    private static final int FLOOD_LIMIT_PER_SECOND = 200;
    private static final long STORM_SECONDS = 8;
    private static final long STORM_PER_SECOND = 10_000;
    private static final long STORM_MAX_DATAGRAMS = STORM_SECONDS * STORM_PER_SECOND;
    private static final String STORM_BROADCAST = "10.20.0.255";
    private static final int STORM_PORT = 9999;
    /** Room over rate x duration + burst for scheduling jitter and the odd ARP sharing the bucket. */
    private static final double TOLERANCE = 1.25;
    private static final double MAX_PING_LOSS = 0.20;
    private static final long TRANSFER_BYTES = 50L << 20;
    private static final Pattern SENT = Pattern.compile("SENT datagrams=(\\d+) nanos=(\\d+)");
    private static final Pattern COUNTED = Pattern.compile("COUNTED datagrams=(\\d+)");

    @Test
    void floodLimitHoldsAndUnicastStillFlows(TestInfo test) {
        TestHost.assumeL2Capable();
        net = L2Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(), 1);
        String limit = "flood-limit: " + FLOOD_LIMIT_PER_SECOND;
        var dc = OcbridgeDaemon.start(net, net.dc, "a", net.peersOf(net.dc), List.of(net.segment("l").with(limit)));
        var cloud = OcbridgeDaemon.start(net, net.cloud(0), "b", net.peersOf(net.cloud(0)),
                List.of(net.segment("m").with(limit)));
        var vm = net.vm(0);
        vm.ip("addr", "add", L2Checks.VM_1 + "/" + L2Topology.LAN_PREFIX, "dev", L2Topology.HOST_DEVICE).orThrow();
        // Before the storm: both neighbours resolved and the MACs learned, so unicast needs no flooded ARP.
        assertTrue(Ping.until(vm, L2Topology.ENT_HOST_1, L2Checks.PATH_UP).isPresent(), "vm -> enterprise host");
        assertEquals(3, Ping.run(net.entHost1, L2Checks.VM_1, 3).received(), "enterprise host -> vm");

        long counterSeconds = STORM_SECONDS + 4;
        var counter = net.start(vm, "broadcast-counter",
                UdpBroadcast.argv("count", Integer.toString(STORM_PORT), Long.toString(counterSeconds)));
        assertTrue(Wait.until(Duration.ofSeconds(15), () -> counter.logText().contains("READY") || !counter.isAlive())
                && counter.isAlive(), "counter not ready\n" + counter.logText());
        String dcBefore = SegmentCounters.statusJson(dc, net.dc.gateway());
        String cloudBefore = SegmentCounters.statusJson(cloud, net.cloud(0).gateway());

        var storm = net.start(net.entHost2, "broadcast-storm", UdpBroadcast.argv("send", STORM_BROADCAST,
                Integer.toString(STORM_PORT), Long.toString(STORM_SECONDS), Long.toString(STORM_MAX_DATAGRAMS),
                Long.toString(STORM_PER_SECOND)));
        Ping ping;
        Transfer.Result transfer;
        try (var pinger = Executors.newSingleThreadExecutor()) {
            var during = CompletableFuture.supplyAsync(
                    () -> Ping.during(vm, L2Topology.ENT_HOST_1, Duration.ofSeconds(STORM_SECONDS)), pinger);
            transfer = L2Checks.transfer(net, vm, net.entHost1, L2Topology.ENT_HOST_1, TRANSFER_BYTES,
                    Duration.ofSeconds(60));
            ping = during.join();
        }
        var stormExit = storm.awaitExit(Duration.ofSeconds(STORM_SECONDS + 15));
        var counterExit = counter.awaitExit(Duration.ofSeconds(counterSeconds + 15));
        assertTrue(stormExit.isPresent() && stormExit.getAsInt() == 0, "storm sender\n" + storm.logText());
        assertTrue(counterExit.isPresent() && counterExit.getAsInt() == 0, "counter\n" + counter.logText());
        String dcAfter = SegmentCounters.statusJson(dc, net.dc.gateway());
        String cloudAfter = SegmentCounters.statusJson(cloud, net.cloud(0).gateway());

        Matcher sent = find(SENT, storm.logText());
        long stormSent = Long.parseLong(sent.group(1));
        double stormSeconds = Long.parseLong(sent.group(2)) / 1e9;
        long crossed = Long.parseLong(find(COUNTED, counter.logText()).group(1));
        long dcDropped = delta(dcBefore, dcAfter, "drop_flood_limit");
        long dcFlooded = delta(dcBefore, dcAfter, "flooded");
        long cloudDropped = delta(cloudBefore, cloudAfter, "drop_flood_limit");
        long cloudRemote = delta(cloudBefore, cloudAfter, "remote_frames");
        long bound = Math.round((FLOOD_LIMIT_PER_SECOND * stormSeconds + FLOOD_LIMIT_PER_SECOND) * TOLERANCE);
        double loss = ping.transmitted() == 0 ? 1 : 1 - (double) ping.received() / ping.transmitted();

        Summary.line("BroadcastStormTest", "flood-limit %d/s: %d broadcasts in %.1f s"
                        + " (%.0f/s) from an enterprise host; %d reached the cloud VM (%.0f/s, bound %d);"
                        + " dc gateway flooded %d, drop_flood_limit %d; cloud gateway remote_frames %d,"
                        + " drop_flood_limit %d",
                FLOOD_LIMIT_PER_SECOND, stormSent, stormSeconds, stormSent / stormSeconds, crossed,
                crossed / stormSeconds, bound, dcFlooded, dcDropped, cloudRemote, cloudDropped);
        Summary.line("BroadcastStormTest", "during the storm: ping vm -> enterprise host"
                        + " %d/%d answered (%.0f%% loss, avg %.2f ms); TCP vm -> enterprise host %s",
                ping.received(), ping.transmitted(), loss * 100, ping.avgRttMs(), transfer.summary());

        assertTrue(stormSent > FLOOD_LIMIT_PER_SECOND * stormSeconds * 5,
                "the storm was too weak to test the limit: " + stormSent + " in " + stormSeconds + " s");
        assertTrue(dcDropped > 0, "dc drop_flood_limit did not grow\n" + dcAfter);
        assertTrue(crossed <= bound, crossed + " broadcasts crossed, more than " + bound);
        assertTrue(crossed >= FLOOD_LIMIT_PER_SECOND, "the limit should pass up to its rate, not block: " + crossed);
        assertTrue(loss < MAX_PING_LOSS, "unicast ping during the storm lost " + loss * 100 + "%\n" + ping.output());
    }

    private static Matcher find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + pattern + " in:\n" + text);
        }
        return m;
    }

    private static long delta(String before, String after, String counter) {
        return SegmentCounters.counter(after, counter) - SegmentCounters.counter(before, counter);
    }
}

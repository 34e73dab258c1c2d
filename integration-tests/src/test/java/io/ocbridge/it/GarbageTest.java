package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #6: random UDP datagrams of every size 1..1500 (and one in a thousand up to 65507, IP-fragmented), random
 * content, one in seven with a real-looking header (types 1-4 at their sizes, random indexes), from 16 sources at site
 * B's port during a 100 MB byte-exact transfer A -> B. The transfer must arrive intact, B's daemon must stay up with no
 * internal error, its drop counters (plus the kernel's receive-buffer drops) must account for every datagram sent, and
 * its live heap must stay bounded. Prints datagrams sent and dropped, and the live heap before and after.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(150)
class GarbageTest extends LabTest<Topology> {
    private static final int SOURCES = 16;
    private static final long GARBAGE_PER_SECOND = 10_000;
    /** Upper bound only: the garbage stops once the transfer is through. */
    private static final long GARBAGE_MAX_SECONDS = 60;
    private static final long TRANSFER_BYTES = 100L << 20;
    /** Growth of the live heap (after a full GC) that still counts as bounded: buffers and pools warm up. */
    private static final long HEAP_GROWTH_BOUND_BYTES = 32L << 20;
    private static final Pattern SENT = Pattern.compile("SENT datagrams=(\\d+) nanos=(\\d+) large=(\\d+)");
    /** Where a garbage datagram can end at B; the transfer's own packets end in none of these. */
    private static final List<DropReason> GARBAGE_FATES = List.of(DropReason.MALFORMED, DropReason.BAD_MAC1,
            DropReason.UNKNOWN_INDEX, DropReason.COOKIE_REQUIRED, DropReason.RATE_LIMITED, DropReason.HANDSHAKE_FAILED,
            DropReason.COOKIE_RATE_LIMITED, DropReason.HANDSHAKE_QUEUE_FULL, DropReason.BAD_COOKIE_REPLY,
            DropReason.DECRYPT_FAILED, DropReason.KEYPAIR_EXPIRED);

    @Test
    void transferSurvivesGarbageAndEveryDatagramIsCounted(TestInfo test) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(),
                "reads ocbridge's own status counters and heap");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        var daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        var daemonB = OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");
        var attacker = net.attacker(net.gwB, SOURCES);
        var payload = Transfer.payload(net.workDir().resolve("payload"), TRANSFER_BYTES, 0x9a4ba9e);

        long pidB = daemonB.process().pid();
        long heapBefore = ProcessStats.liveHeapBytes(pidB);
        OverlayStatus before = OverlayCounters.read(daemonB, net.gwB);
        long rcvbufBefore = net.gwB.udpCounter("RcvbufErrors");
        var garbage = net.start(attacker, "garbage", UnderlayFlood.argv("garbage", Topology.ATTACK_TARGET,
                Integer.toString(Topology.LISTEN_PORT), Topology.ATTACK_FIRST_SOURCE, Integer.toString(SOURCES),
                Long.toString(GARBAGE_MAX_SECONDS), Long.toString(GARBAGE_MAX_SECONDS * GARBAGE_PER_SECOND),
                Long.toString(GARBAGE_PER_SECOND), "6"));
        assertTrue(Wait.until(Duration.ofSeconds(15), () -> !garbage.isAlive() || OverlayCounters.drops(before,
                OverlayCounters.read(daemonB, net.gwB), DropReason.MALFORMED) > 0), "no garbage reached B");
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, Duration.ofSeconds(100));
        boolean garbageStillRunning = garbage.isAlive();
        var garbageExit = garbage.terminate(Duration.ofSeconds(10));
        Wait.sleep(Duration.ofMillis(500));  // let B drain what is still queued on its socket
        OverlayStatus after = OverlayCounters.read(daemonB, net.gwB);
        long rcvbuf = net.gwB.udpCounter("RcvbufErrors") - rcvbufBefore;
        long heapAfter = ProcessStats.liveHeapBytes(pidB);

        assertTrue(garbageExit.isPresent(), "garbage sender did not stop\n" + garbage.logText());
        Matcher sent = SENT.matcher(garbage.logText());
        assertTrue(sent.find(), "garbage sender\n" + garbage.logText());
        long datagrams = Long.parseLong(sent.group(1));
        double seconds = Long.parseLong(sent.group(2)) / 1e9;
        long large = Long.parseLong(sent.group(3));
        long dropped = OverlayCounters.drops(before, after, GARBAGE_FATES);

        Summary.line("GarbageTest", "%d garbage datagrams (%d over 1500 bytes) from %d sources in %.1f s (%.0f/s);"
                        + " B dropped %d (%s), kernel rcvbuf drops %d; live heap of B %.1f MB before, %.1f MB after;"
                        + " TCP A->B meanwhile %s%s",
                datagrams, large, SOURCES, seconds, datagrams / seconds, dropped,
                OverlayCounters.dropDeltas(before, after), rcvbuf, heapBefore / 1e6, heapAfter / 1e6, got.summary(),
                garbageStillRunning ? "" : " (garbage ended before the transfer did)");

        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        assertTrue(daemonB.process().isAlive() && daemonB.process().pid() == pidB, "B's daemon did not survive");
        assertTrue(daemonA.process().isAlive(), "A's daemon did not survive");
        assertEquals(0, OverlayCounters.drops(before, after, DropReason.INTERNAL_ERROR), "internal errors at B");
        assertTrue(dropped > 0 && OverlayCounters.drops(before, after, DropReason.MALFORMED) > 0
                && OverlayCounters.drops(before, after, DropReason.UNKNOWN_INDEX) > 0
                && OverlayCounters.drops(before, after, DropReason.BAD_MAC1) > 0,
                "garbage not counted by kind: " + OverlayCounters.dropDeltas(before, after));
        assertTrue(dropped <= datagrams, "more garbage drops (" + dropped + ") than garbage sent (" + datagrams + ")");
        assertTrue(dropped + rcvbuf >= datagrams - large, "garbage unaccounted for: sent " + datagrams + ", dropped "
                + dropped + ", kernel rcvbuf drops " + rcvbuf);
        assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BOUND_BYTES,
                "live heap grew from " + heapBefore + " to " + heapAfter + " bytes");
    }
}

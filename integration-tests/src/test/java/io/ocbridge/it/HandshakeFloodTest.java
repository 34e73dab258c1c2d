package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #6: a handshake flood at site B's port from 256 source addresses (initiations that pass MAC1 for B's public key)
 * while site A's daemon is restarted mid-flood and then carries a TCP transfer to B. B must go "under load" (cookie
 * replies, {@code cookie_required} drops), A must still complete its handshake by the cookie path (cookie reply
 * received, MAC2 on its retry) and its transfer must arrive byte-exact; B's daemon must stay up.
 * Two attackers: one that ignores cookie replies (no MAC2 ever), and one that takes them and adds MAC2, so its
 * initiations compete for B's handshake queue and, through it and within the per-source rate limit, reach B's
 * Diffie-Hellman, which gets a quarter of B's event loop.
 * Prints the flood rate offered and handled, B's CPU time during the flood, and the transfer's throughput.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(150)
class HandshakeFloodTest extends LabTest<Topology> {
    /**
     * Attacker addresses; {@code -Docbridge.it.floodSources=N} (at most 65000) for a larger botnet. The per-source
     * limit lets a cookie-aware attacker through at 20/s per address, and B runs each of those Diffie-Hellmans on its
     * event loop, the data path's thread: 2048 sources at 30000/s took B to 10800 DH/s, the kernel dropped 62% at its
     * socket, A's handshake took 23 s and its transfer ran at 1.5 MB/s (against 8-19 MB/s with 256 sources).
     * wireguard-go as B under the same flood (its handshakes on worker goroutines): 110% of a core, 13% dropped by the
     * kernel, A's handshake 10 s, transfer 1.3 MB/s. One run each, host shared with other work.
     */
    private static final int SOURCES = Integer.getInteger("ocbridge.it.floodSources", 256);
    /**
     * Offered rate; {@code -Docbridge.it.floodPerSecond=N} for a harder run (on a shared 2-core host, 40000/s pushed B
     * past what its socket could take: a quarter dropped by the kernel, the transfer slowed to 4 MB/s, still intact).
     */
    private static final long FLOOD_PER_SECOND = Long.getLong("ocbridge.it.floodPerSecond", 10_000);
    /** Upper bound only: the flood is stopped once the transfer is through. */
    private static final long FLOOD_MAX_SECONDS = 45;
    private static final Duration FLOOD_BEFORE_RESTART = Duration.ofSeconds(2);
    /** Cookie reply, then the initiator's immediate retry with MAC2 (or its 5 s retransmit, if that is lost), with room. */
    private static final Duration HANDSHAKE_UNDER_FLOOD = Duration.ofSeconds(25);
    private static final long TRANSFER_BYTES = 20L << 20;
    private static final Pattern SENT = Pattern.compile("SENT datagrams=(\\d+) nanos=(\\d+)");
    private static final Pattern COOKIES = Pattern.compile("cookies=(\\d+)");
    /** Where a flooded initiation can end at B. */
    private static final List<DropReason> FLOOD_FATES = List.of(DropReason.COOKIE_REQUIRED, DropReason.RATE_LIMITED,
            DropReason.COOKIE_RATE_LIMITED, DropReason.HANDSHAKE_QUEUE_FULL, DropReason.HANDSHAKE_FAILED,
            DropReason.BAD_MAC1, DropReason.MALFORMED);

    @Test
    void legitimatePeerHandshakesAndTransfersThroughTheFlood(TestInfo test) {
        var f = floodWhileThePeerRestarts(test, "handshake");
        assertTrue(f.cookiesSent() > 0 && f.drops(DropReason.COOKIE_REQUIRED) > 0, "B never went under load: cookie"
                + " replies " + f.cookiesSent() + ", cookie_required " + f.drops(DropReason.COOKIE_REQUIRED));
        Summary.line("HandshakeFloodTest", "%s", f.summary());
    }

    @Test
    void cookieAwareFloodIsHeldBackByTheQueueAndTheRateLimit(TestInfo test) {
        var f = floodWhileThePeerRestarts(test, "cookie-handshake");
        Matcher cookies = COOKIES.matcher(f.floodLog());
        assertTrue(cookies.find() && Long.parseLong(cookies.group(1)) > 0, "the attacker never got a cookie\n"
                + f.floodLog());
        Summary.line("HandshakeFloodTest.cookieAware", "%s; attacker took %s cookies, so %.0f/s of its initiations"
                        + " reached B's Diffie-Hellman (handshake_failed), %.0f/s were rate_limited, %.0f/s found the"
                        + " handshake queue full",
                f.summary(), cookies.group(1), f.drops(DropReason.HANDSHAKE_FAILED) / f.floodSeconds(),
                f.drops(DropReason.RATE_LIMITED) / f.floodSeconds(),
                f.drops(DropReason.HANDSHAKE_QUEUE_FULL) / f.floodSeconds());
        // Its MAC2 buys it no more than the queue's share and the per-source rate: one of them must have held it back.
        assertTrue(f.drops(DropReason.RATE_LIMITED) + f.drops(DropReason.HANDSHAKE_QUEUE_FULL) > 0,
                "neither rate_limited nor handshake_queue_full drops: " + f.dropDeltas());
    }

    /**
     * The yardstick: the same cookie-aware flood and restart of A (ocbridge) against wireguard-go as B, which runs its
     * handshakes on worker goroutines, apart from its data path. Its counters are not ocbridge's, so only the legitimate
     * peer's handshake, its transfer, B's CPU time and the kernel's drops are compared.
     */
    @Test
    void referenceWireGuardGoUnderTheCookieAwareFlood(TestInfo test) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        var wgB = WireGuardGo.start(net, b, "wb", a.asPeer(), "error");
        var daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");
        var attacker = net.attacker(net.gwB, SOURCES);
        var payload = Transfer.payload(net.workDir().resolve("payload"), TRANSFER_BYTES, 0xf100d);

        long pidB = wgB.process().pid();
        long rcvbufBefore = net.gwB.udpCounter("RcvbufErrors");
        var cpuBefore = ProcessStats.cpuTime(pidB);
        long floodStartNs = System.nanoTime();
        var flood = startFlood(attacker, "cookie-handshake", b);
        daemonA.kill();
        daemonA.startAgain();
        var handshake = Ping.until(net.hostA, Topology.HOST_B, HANDSHAKE_UNDER_FLOOD);
        assertTrue(handshake.isPresent(), "A got no reply through wireguard-go within " + HANDSHAKE_UNDER_FLOOD);
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, Duration.ofSeconds(90));
        boolean floodStillRunning = flood.isAlive();
        assertTrue(flood.terminate(Duration.ofSeconds(10)).isPresent(), "flood sender did not stop");
        double wallSeconds = (System.nanoTime() - floodStartNs) / 1e9;
        var cpu = ProcessStats.cpuTime(pidB).minus(cpuBefore);
        long rcvbuf = net.gwB.udpCounter("RcvbufErrors") - rcvbufBefore;
        Matcher sent = SENT.matcher(flood.logText());
        assertTrue(sent.find(), "flood sender\n" + flood.logText());
        long floodSent = Long.parseLong(sent.group(1));
        double floodSeconds = Long.parseLong(sent.group(2)) / 1e9;

        Summary.line("HandshakeFloodTest.referenceWireGuardGo", "cookie-handshake flood at wireguard-go as B, %d"
                        + " initiations from %d sources in %.1f s: offered %.0f/s; kernel rcvbuf drops %d; B CPU %.1f s"
                        + " in %.1f s (%.0f%% of a core); A (ocbridge) restarted: first reply %d ms after ready; TCP"
                        + " A->B during flood %s%s",
                floodSent, SOURCES, floodSeconds, floodSent / floodSeconds, rcvbuf, cpu.toMillis() / 1e3, wallSeconds,
                100 * cpu.toMillis() / 1e3 / wallSeconds, handshake.get().toMillis(), got.summary(),
                floodStillRunning ? "" : " (flood ended before the transfer did)");
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        assertTrue(wgB.process().isAlive(), "wireguard-go did not survive");
    }

    /** Starts the flood of {@code kind} at {@code target}'s port, bounded by FLOOD_MAX_SECONDS, and lets it run 2 s. */
    private Background startFlood(Netns attacker, String kind, Site target) {
        var flood = net.start(attacker, kind + "-flood", UnderlayFlood.argv(kind, Topology.ATTACK_TARGET,
                Integer.toString(Topology.LISTEN_PORT), Topology.ATTACK_FIRST_SOURCE, Integer.toString(SOURCES),
                Long.toString(FLOOD_MAX_SECONDS), Long.toString(FLOOD_MAX_SECONDS * FLOOD_PER_SECOND),
                Long.toString(FLOOD_PER_SECOND), target.keys().publicKey()));
        Wait.sleep(FLOOD_BEFORE_RESTART);
        assertTrue(flood.isAlive(), "flood sender\n" + flood.logText());
        return flood;
    }

    /** What one flood run measured; the shared assertions have passed. */
    private record Flood(String kind, long sent, double floodSeconds, OverlayStatus before, OverlayStatus after,
                         long rcvbufDrops, Duration cpu, double wallSeconds, long firstReplyMillis,
                         long cookiesReceivedByA, long completed, Transfer.Result transfer, boolean floodOutlasted,
                         String floodLog) {
        long drops(DropReason reason) {
            return OverlayCounters.drops(before, after, reason);
        }

        long cookiesSent() {
            return OverlayCounters.handshakes(before, after, Event.COOKIE_REPLY_SENT);
        }

        String dropDeltas() {
            return OverlayCounters.dropDeltas(before, after);
        }

        String summary() {
            long handled = OverlayCounters.drops(before, after, FLOOD_FATES);
            return String.format(Locale.ROOT, "%s flood, %d valid-MAC1 initiations from %d sources in %.1f s:"
                            + " offered %.0f/s, handled %.0f/s (B dropped %s; kernel rcvbuf drops %d); B CPU %.1f s in"
                            + " %.1f s (%.0f%% of a core); cookie replies sent %d; A's restarted daemon: first reply"
                            + " %d ms after ready, cookie replies received %d, B handshakes completed %d; TCP A->B"
                            + " during flood %s%s",
                    kind, sent, SOURCES, floodSeconds, sent / floodSeconds, handled / floodSeconds, dropDeltas(),
                    rcvbufDrops, cpu.toMillis() / 1e3, wallSeconds, 100 * cpu.toMillis() / 1e3 / wallSeconds,
                    cookiesSent(), firstReplyMillis, cookiesReceivedByA, completed, transfer.summary(),
                    floodOutlasted ? "" : " (flood ended before the transfer did)");
        }
    }

    /**
     * Floods B with {@code kind} initiations, restarts A two seconds in, waits for A's first reply through B and sends
     * the payload; then stops the flood and checks what every kind must: byte-exact, B alive, A's handshake took the
     * cookie path, no internal error.
     */
    private Flood floodWhileThePeerRestarts(TestInfo test, String kind) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(),
                "reads ocbridge's own status counters");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        var daemonB = OcbridgeDaemon.start(net, b, "b", a.asPeer());  // B only responds: A must handshake to reach it
        var daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel not up");
        var attacker = net.attacker(net.gwB, SOURCES);
        var payload = Transfer.payload(net.workDir().resolve("payload"), TRANSFER_BYTES, 0xf100d);

        long pidB = daemonB.process().pid();
        OverlayStatus before = OverlayCounters.read(daemonB, net.gwB);
        long rcvbufBefore = net.gwB.udpCounter("RcvbufErrors");
        var cpuBefore = ProcessStats.cpuTime(pidB);
        long floodStartNs = System.nanoTime();
        var flood = startFlood(attacker, kind, b);
        daemonA.kill();
        daemonA.startAgain();
        var handshake = Ping.until(net.hostA, Topology.HOST_B, HANDSHAKE_UNDER_FLOOD);
        if (handshake.isEmpty()) {
            var cpu = ProcessStats.cpuTime(pidB).minus(cpuBefore);
            double seconds = (System.nanoTime() - floodStartNs) / 1e9;
            OverlayStatus now = OverlayCounters.read(daemonB, net.gwB);
            throw new AssertionError(String.format(Locale.ROOT, "A's restarted daemon got no reply through B within %s"
                            + " during the %s flood (%d sources, %d/s offered); after %.1f s: B dropped %s, kernel"
                            + " rcvbuf drops %d, B CPU %.1f s (%.0f%% of a core); A's status: %s",
                    HANDSHAKE_UNDER_FLOOD, kind,
                    SOURCES, FLOOD_PER_SECOND, seconds, OverlayCounters.dropDeltas(before, now),
                    net.gwB.udpCounter("RcvbufErrors") - rcvbufBefore, cpu.toMillis() / 1e3,
                    100 * cpu.toMillis() / 1e3 / seconds, SegmentCounters.statusJson(daemonA, net.gwA).strip()));
        }
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, Duration.ofSeconds(90));
        boolean floodStillRunning = flood.isAlive();
        var floodExit = flood.terminate(Duration.ofSeconds(10));
        long floodNs = System.nanoTime() - floodStartNs;
        var cpu = ProcessStats.cpuTime(pidB).minus(cpuBefore);
        long rcvbuf = net.gwB.udpCounter("RcvbufErrors") - rcvbufBefore;
        OverlayStatus after = OverlayCounters.read(daemonB, net.gwB);
        OverlayStatus initiator = OverlayCounters.read(daemonA, net.gwA);

        assertTrue(floodExit.isPresent(), "flood sender did not stop\n" + flood.logText());
        Matcher sent = SENT.matcher(flood.logText());
        assertTrue(sent.find(), "flood sender\n" + flood.logText());
        var f = new Flood(kind, Long.parseLong(sent.group(1)), Long.parseLong(sent.group(2)) / 1e9, before, after,
                rcvbuf, cpu, floodNs / 1e9, handshake.get().toMillis(),
                initiator.handshakes().getOrDefault(Event.COOKIE_REPLY_RECEIVED, 0L),
                OverlayCounters.handshakes(before, after, Event.COMPLETED), got, floodStillRunning, flood.logText());
        System.out.println("[handshake flood] " + f.summary());

        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        assertTrue(daemonB.process().isAlive() && daemonB.process().pid() == pidB, "B's daemon did not survive");
        assertTrue(f.completed() >= 1, "B completed no handshake during the flood");
        assertTrue(f.cookiesReceivedByA() >= 1, "A's handshake did not take the cookie path (no cookie reply received)");
        assertEquals(0, f.drops(DropReason.INTERNAL_ERROR), "internal errors at B");
        return f;
    }
}

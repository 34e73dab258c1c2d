package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #6: underlay faults while a TCP transfer of known content runs hostA -> hostB through the tunnel (site A
 * initiates; site B only responds, so it knows A's endpoint only from A's packets). Each fault must leave the transfer
 * byte-exact; each test prints how long traffic took to flow again after the fault ended, measured by a concurrent
 * ping trace (a request every 100 ms, the first reply to a request sent after the fault's end).
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class FaultRecoveryTest extends LabTest<Topology> {
    private static final Duration TUNNEL_UP = Duration.ofSeconds(10);
    /** Big enough to still be in flight when the fault hits and after it ends. */
    private static final long LONG_TRANSFER_BYTES = 150L << 20;
    /** The fault is injected once this much has reached hostB. */
    private static final long IN_FLIGHT_BYTES = 8L << 20;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(100);
    private static final Duration LINK_DOWN = Duration.ofSeconds(3);
    private static final Duration RECOVERY = Duration.ofSeconds(30);
    private static final Duration TRACE_WINDOW = Duration.ofSeconds(90);
    private static final String WAN_A_MOVED = "192.0.2.3";
    private static final long IMPAIRED_TRANSFER_BYTES = 10L << 20;
    private static final String NETEM = "loss 10% reorder 10% delay 1ms";
    private static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
    /**
     * libfaketime re-reads the offset file at most once a second ({@code FAKETIME_CACHE_DURATION=1}); with
     * {@code FAKETIME_NO_CACHE=1} it reads it on every clock call, which made the daemon start in 15 s and carry
     * 2 MB/s. So a step takes effect within this.
     */
    private static final Duration FAKETIME_CACHE = Duration.ofMillis(1500);
    /**
     * With monotonic time passed through ({@code FAKETIME_DONT_FAKE_MONOTONIC=1}, so sessions and timers see no step)
     * every clock call goes through libfaketime's slow path (on this host 0.4 us for nanoTime, 1.1 us for
     * currentTimeMillis, against 0.05): the JVM starts several times slower.
     */
    private static final Duration FAKETIME_READY = Duration.ofSeconds(60);
    /** Smaller than the others: libfaketime's slow clock path costs A most of its throughput. */
    private static final long CLOCK_TRANSFER_BYTES = 40L << 20;
    /** Long enough for A's first initiation and two retries (REKEY_TIMEOUT, 5 s). */
    private static final Duration LOCKED_OUT_WINDOW = Duration.ofSeconds(11);

    private Site a;
    private Site b;
    private OcbridgeDaemon daemonA;
    private OcbridgeDaemon daemonB;

    private void up(TestInfo test, Map<String, String> environmentOfA, Duration readyTimeoutOfA) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        a = Site.a(net, Keys.generate());
        b = Site.b(net, Keys.generate());
        daemonB = OcbridgeDaemon.start(net, b, "b", a.asPeer());
        daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()), environmentOfA,
                readyTimeoutOfA);
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
    }

    @Test
    void underlayLinkDownThenUp(TestInfo test) {
        up(test, Map.of(), OcbridgeDaemon.READY_TIMEOUT);
        var trace = Ping.trace(net, net.hostA, Topology.HOST_B, TRACE_WINDOW);
        Instant[] upAt = new Instant[1];
        var got = transferThrough(LONG_TRANSFER_BYTES, () -> {
            net.gwA.ip("link", "set", "wan0", "down").orThrow();
            Wait.sleep(LINK_DOWN);
            net.gwA.ip("link", "set", "wan0", "up").orThrow();
            upAt[0] = Instant.now();
        });
        Duration recovery = recoveryAfter(trace, upAt[0]);
        Summary.line("FaultRecoveryTest.underlayLinkDownThenUp", "A's underlay link down %.1f s mid-transfer:"
                        + " first ping reply %d ms after link up; TCP A->B %s (byte-exact)",
                LINK_DOWN.toMillis() / 1e3, recovery.toMillis(), got.summary());
    }

    @Test
    void roamingInitiatorMovesToANewUnderlayAddress(TestInfo test) {
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "reads ocbridge's status");
        up(test, Map.of(), OcbridgeDaemon.READY_TIMEOUT);
        // The connected route to B follows the new address once the old primary is gone (no other route to fix).
        net.gwA.sysctl("net.ipv4.conf.wan0.promote_secondaries", "1");
        var trace = Ping.trace(net, net.hostA, Topology.HOST_B, TRACE_WINDOW);
        Instant[] movedAt = new Instant[1];
        var got = transferThrough(LONG_TRANSFER_BYTES, () -> {
            net.gwA.ip("addr", "add", WAN_A_MOVED + "/24", "dev", "wan0").orThrow();
            net.gwA.ip("addr", "del", Topology.WAN_A + "/24", "dev", "wan0").orThrow();
            movedAt[0] = Instant.now();
        });
        Duration recovery = recoveryAfter(trace, movedAt[0]);
        String endpoint = OverlayCounters.read(daemonB, net.gwB).peers().getFirst().endpoint();
        Summary.line("FaultRecoveryTest.roamingInitiatorMovesToANewUnderlayAddress", "A moved %s -> %s mid-transfer:"
                        + " first ping reply %d ms after the move; B's endpoint for A now %s; TCP A->B %s (byte-exact)",
                Topology.WAN_A, WAN_A_MOVED, recovery.toMillis(), endpoint, got.summary());
        assertEquals(WAN_A_MOVED + ":" + Topology.LISTEN_PORT, endpoint, "B did not learn A's new endpoint");
    }

    @Test
    void lossyReorderingUnderlay(TestInfo test) {
        up(test, Map.of(), OcbridgeDaemon.READY_TIMEOUT);
        var cleanPayload = Transfer.payload(net.workDir().resolve("clean"), IMPAIRED_TRANSFER_BYTES, 0xc1ea);
        send(cleanPayload);  // warm-up: the daemons' JIT, so the clean figure is not the cold one
        var clean = send(cleanPayload);
        // netem where the kernel has sch_netem; else nftables' random drop (loss only: no reorder, no delay).
        String impairment;
        Runnable unimpair;
        Supplier<String> dropped;
        var netem = net.gwA.exec(("tc qdisc add dev wan0 root netem " + NETEM).split(" "));
        if (netem.ok()) {
            impairment = "netem " + NETEM + " on A's underlay egress";
            unimpair = () -> net.gwA.exec("tc", "qdisc", "del", "dev", "wan0", "root").orThrow();
            dropped = () -> net.gwA.exec("tc", "-s", "qdisc", "show", "dev", "wan0").output().lines()
                    .filter(l -> l.contains("dropped")).findFirst().orElse("?").strip();
        } else {
            Assumptions.assumeTrue(TestHost.onPath("nft"), "no sch_netem (" + netem.output().strip() + ") and no nft");
            Cmd.run(Cmd.DEFAULT_TIMEOUT, """
                    table inet ocbimpair {
                        chain out {
                            type filter hook output priority 0; policy accept;
                            oifname "wan0" numgen random mod 10 == 0 counter drop
                        }
                    }
                    """, net.gwA.inside(List.of("nft", "-f", "-"))).orThrow();
            impairment = "nft random drop 10% on A's underlay egress (no sch_netem here: "
                    + netem.output().strip() + ")";
            unimpair = () -> net.gwA.exec("nft", "delete", "table", "inet", "ocbimpair").orThrow();
            dropped = () -> net.gwA.exec("nft", "list", "table", "inet", "ocbimpair").output().lines()
                    .filter(l -> l.contains("counter")).findFirst().orElse("?").strip();
        }
        var lossy = send(Transfer.payload(net.workDir().resolve("lossy"), IMPAIRED_TRANSFER_BYTES, 0x1055));
        String drops = dropped.get();
        unimpair.run();
        Instant clearedAt = Instant.now();
        var after = Ping.until(net.hostA, Topology.HOST_B, RECOVERY);
        assertTrue(after.isPresent(), "no reply after the impairment was removed");
        Summary.line("FaultRecoveryTest.lossyReorderingUnderlay", "%s: TCP A->B %.1f MB/s clean (warm), %.1f MB/s"
                        + " impaired (%d MB each, byte-exact; impairment counted: %s); first reply %d ms after removal",
                impairment, clean.megabytesPerSecond(), lossy.megabytesPerSecond(), IMPAIRED_TRANSFER_BYTES >> 20, drops,
                Duration.between(clearedAt, Instant.now()).toMillis());
    }

    /**
     * libfaketime (LD_PRELOAD on A's daemon only; namespaces share CLOCK_REALTIME, so the host clock is never touched)
     * steps A's wall clock; monotonic time is left alone, as an NTP step leaves it. A starts an hour ahead (a bad RTC)
     * and handshakes: B accepts, and keeps that TAI64N as the last one seen from A. Mid-transfer A's clock is stepped
     * back to the true time: sessions and timers run on monotonic time, so nothing happens. When A next needs a
     * handshake (here: it restarts; in service: its next rekey, within REKEY_AFTER_TIME) B refuses its initiations as
     * replayed, since their stamps are not later than the last one accepted (WireGuard's documented behaviour), until
     * A's clock passes that stamp, an hour later, or B forgets it: here B restarts. (With traffic from B to A, B's own
     * initiation would also restore the session: A has no stamp from B after its restart.)
     */
    @Test
    void wallClockStepOnTheInitiator(TestInfo test) throws IOException {
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "reads ocbridge's status");
        Assumptions.assumeTrue(Files.exists(Path.of(LIBFAKETIME)), "libfaketime not installed (package faketime)");
        Path offset = Files.createTempFile("ocb-faketime-", ".offset");
        try {
            Files.writeString(offset, "+1h\n");
            up(test, Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE", offset.toString(),
                    "FAKETIME_CACHE_DURATION", "1", "FAKETIME_DONT_FAKE_MONOTONIC", "1"), FAKETIME_READY);
            long shownAhead = OverlayCounters.read(daemonA, net.gwA).peers().getFirst().latestHandshakeEpochSeconds()
                    - Instant.now().getEpochSecond();
            assertTrue(shownAhead > 3000, "libfaketime did not step the daemon's clock: its last handshake shows "
                    + shownAhead + " s from now");

            // Stepped back to the true time mid-transfer: no effect on the session.
            OverlayStatus start = OverlayCounters.read(daemonB, net.gwB);
            var got = transferThrough(CLOCK_TRANSFER_BYTES, () -> write(offset, "+0"));
            OverlayStatus before = OverlayCounters.read(daemonB, net.gwB);
            assertEquals(0, OverlayCounters.handshakes(start, before, Event.COMPLETED),
                    "a wall-clock step made the session rekey");

            // A needs a new handshake: B refuses its initiations as replayed.
            Wait.sleep(FAKETIME_CACHE);
            daemonA.kill();
            daemonA.startAgain();
            var locked = Ping.during(net.hostA, Topology.HOST_B, LOCKED_OUT_WINDOW);
            OverlayStatus refused = OverlayCounters.read(daemonB, net.gwB);
            long replayed = OverlayCounters.handshakes(before, refused, Event.REPLAYED_TIMESTAMP);
            assertEquals(0, locked.received(), "B accepted an initiation stamped an hour earlier than the last one");
            assertTrue(replayed >= 1, "B did not count the refused initiations: " + refused.handshakes());
            assertEquals(0, OverlayCounters.drops(before, refused, DropReason.INTERNAL_ERROR), "internal errors at B");

            // B forgets the last timestamp when it restarts: A's next retry (REKEY_TIMEOUT, 5 s) gets through.
            daemonB.kill();
            daemonB.startAgain();
            Instant restartedAt = Instant.now();
            var recovered = Ping.until(net.hostA, Topology.HOST_B, RECOVERY);
            assertTrue(recovered.isPresent(), "no reply after B's restart");
            Summary.line("FaultRecoveryTest.wallClockStepOnTheInitiator", "A started with its wall clock +1 h (handshake"
                            + " stamped %+d s); stepped back 1 h mid-transfer: TCP %s (byte-exact, no rekey);"
                            + " A restarted:"
                            + " %d of %d pings answered in %d s, B refused %d initiations as replayed timestamps;"
                            + " B restarted: first reply %d ms after it was ready",
                    shownAhead, got.summary(), locked.received(), locked.transmitted(), LOCKED_OUT_WINDOW.toSeconds(),
                    replayed, Duration.between(restartedAt, Instant.now()).toMillis());
        } finally {
            Files.deleteIfExists(offset);
        }
    }

    /** Sends {@code bytes} hostA -> hostB, runs {@code fault} once it is in flight, and checks it arrives byte-exact. */
    private Transfer.Result transferThrough(long bytes, Runnable fault) {
        var payload = Transfer.payload(net.workDir().resolve("payload"), bytes, 0xfa017);
        long rxBefore = net.hostB.rxBytes("eth0");
        try (var sender = Executors.newSingleThreadExecutor()) {
            var transfer = CompletableFuture.supplyAsync(
                    () -> Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, TRANSFER_TIMEOUT), sender);
            assertTrue(Wait.until(Duration.ofSeconds(30), () -> transfer.isDone()
                    || net.hostB.rxBytes("eth0") - rxBefore > IN_FLIGHT_BYTES), "transfer never got going");
            assertTrue(!transfer.isDone(), "transfer finished before the fault: make it longer");
            fault.run();
            var got = transfer.join();
            assertEquals(payload.bytes(), got.bytes(), "bytes received");
            assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
            return got;
        }
    }

    private Transfer.Result send(Transfer.Payload payload) {
        var got = Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B, payload, TRANSFER_TIMEOUT);
        assertEquals(payload.bytes(), got.bytes(), "bytes received");
        assertEquals(payload.sha256(), got.sha256(), "SHA-256 of received bytes");
        return got;
    }

    /** Waits (bounded) for the trace to show a reply to a request sent after {@code faultEnd}; stops the trace. */
    private static Duration recoveryAfter(Background trace, Instant faultEnd) {
        boolean seen = Wait.until(RECOVERY, () -> Ping.firstReplyAfter(trace.logText(), faultEnd).isPresent());
        trace.stop();
        assertTrue(seen, "no ping reply within " + RECOVERY + " of the fault's end\n"
                + String.join("\n", trace.tail(20)));
        return Ping.firstReplyAfter(trace.logText(), faultEnd).orElseThrow();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Misconfigured credentials: no packet gets through, neither daemon dies, and a log line reports the handshake failing.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(90)
class OcbridgeBadCredentialsTest extends LabTest<Topology> {
    static final Duration WINDOW = Duration.ofSeconds(6);
    static final Duration LOG_GRACE = Duration.ofSeconds(5);

    enum Mistake {
        /** Site B is configured with a random public key for site A. */
        WRONG_PUBLIC_KEY,
        /** Each side has a different preshared key. */
        WRONG_PRESHARED_KEY
    }

    @ParameterizedTest
    @EnumSource(Mistake.class)
    void noTrafficAndBothDaemonsSurvive(Mistake mistake) throws Exception {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + mistake);
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        var peerForA = b.asPeer().withEndpoint(b.endpoint());
        var peerForB = a.asPeer().withEndpoint(a.endpoint());
        switch (mistake) {
            case WRONG_PUBLIC_KEY -> peerForB = peerForB.withPublicKey(Keys.generate().publicKey());
            case WRONG_PRESHARED_KEY -> {
                peerForA = peerForA.withPresharedKeyFile(
                        Keys.writeSecret(net.workDir().resolve("a.psk"), Keys.presharedKey()));
                peerForB = peerForB.withPresharedKeyFile(
                        Keys.writeSecret(net.workDir().resolve("b.psk"), Keys.presharedKey()));
            }
        }
        var daemonA = OcbridgeDaemon.start(net, a, "a", peerForA);
        var daemonB = OcbridgeDaemon.start(net, b, "b", peerForB);

        Ping ab;
        Ping ba;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var fromA = CompletableFuture.supplyAsync(() -> Ping.during(net.hostA, Topology.HOST_B, WINDOW), pool);
            var fromB = CompletableFuture.supplyAsync(() -> Ping.during(net.hostB, Topology.HOST_A, WINDOW), pool);
            ab = fromA.get();
            ba = fromB.get();
        }
        assertTrue(ab.transmitted() > 0 && ba.transmitted() > 0, "pings were not sent:\n" + ab.output() + ba.output());
        assertEquals(0, ab.received(), "hostA -> hostB got through despite " + mistake + "\n" + ab.output());
        assertEquals(0, ba.received(), "hostB -> hostA got through despite " + mistake + "\n" + ba.output());
        assertTrue(daemonA.process().isAlive(), "site A's daemon died");
        assertTrue(daemonB.process().isAlive(), "site B's daemon died");

        var daemons = List.of(daemonA.process(), daemonB.process());
        var reported = new ArrayList<String>();
        Wait.until(LOG_GRACE, () -> {
            reported.clear();
            daemons.forEach(d -> reported.addAll(d.logLinesMatching("handshake-failed")));
            return !reported.isEmpty();
        });
        assertFalse(reported.isEmpty(), "no daemon logged a handshake-failed line");
        var shown = reported.subList(0, Math.min(8, reported.size()));
        System.out.println("[ocbridge " + mistake + "] handshake log lines:\n  " + String.join("\n  ", shown));
    }
}

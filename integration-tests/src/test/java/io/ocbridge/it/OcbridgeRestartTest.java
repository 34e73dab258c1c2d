package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Crash and restart: site A's daemon is SIGKILLed (its TUN device may stay behind) and started again with the same
 * config; traffic resumes without touching site B. Prints the recovery time.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class OcbridgeRestartTest extends LabTest<Topology> {
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);
    static final Duration RECOVERY = Duration.ofSeconds(20);

    private OcbridgeDaemon daemonA;
    private OcbridgeDaemon daemonB;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        var a = Site.a(net, Keys.generate());
        var b = Site.b(net, Keys.generate());
        daemonA = OcbridgeDaemon.start(net, a, "a", b.asPeer().withEndpoint(b.endpoint()));
        daemonB = OcbridgeDaemon.start(net, b, "b", a.asPeer().withEndpoint(a.endpoint()));
    }

    @Test
    void trafficResumesAfterKillAndRestart() {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up before the crash");
        long peerPid = daemonB.process().pid();

        daemonA.kill();
        long killedNs = System.nanoTime();
        daemonA.startAgain();
        long readyNs = System.nanoTime();
        var resumed = Ping.until(net.hostA, Topology.HOST_B, RECOVERY);
        long resumedNs = System.nanoTime();

        assertTrue(resumed.isPresent(),
                "hostA -> hostB: no reply within " + RECOVERY + " of the restarted daemon being ready");
        assertTrue(Ping.until(net.hostB, Topology.HOST_A, TUNNEL_UP).isPresent(),
                "hostB -> hostA: no reply after restart");
        assertTrue(daemonB.process().isAlive() && daemonB.process().pid() == peerPid,
                "site B's daemon was not left alone");
        Summary.line("OcbridgeRestartTest", "SIGKILL and restart of A: kill -> ready %d ms, ready -> first reply %d ms,"
                        + " kill -> first reply %d ms", (readyNs - killedNs) / 1_000_000,
                (resumedNs - readyNs) / 1_000_000, (resumedNs - killedNs) / 1_000_000);
    }

    /**
     * SIGKILL and restart of the receiving gateway in the middle of a 200 MiB TCP transfer: the restarted daemon
     * contacts its peer at once, so the transfer stalls for about the restart, not for the peer's 15 s timer plus TCP's
     * back-off. The stall is the longest time hostB's link received nothing, polled every 50 ms.
     */
    @Test
    void aTransferStallsOnlyForTheRestartOfTheReceivingGateway() throws Exception {
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, TUNNEL_UP).isPresent(), "tunnel not up");
        var payload = Transfer.payload(net.workDir().resolve("payload"), 200L << 20, 7);
        var transfer = CompletableFuture.supplyAsync(() -> Transfer.send(net, net.hostA, net.hostB, Topology.HOST_B,
                payload, Duration.ofSeconds(150)));
        assertTrue(Wait.until(Duration.ofSeconds(20), () -> net.hostB.rxBytes("eth0") > (40L << 20)),
                "transfer not under way");
        var progress = ReceiveProgress.watch(net.hostB, "eth0", Duration.ofMillis(50));
        long killedNs = System.nanoTime();
        daemonB.kill();
        daemonB.startAgain();
        long readyNs = System.nanoTime();
        var result = transfer.get(180, TimeUnit.SECONDS);
        Duration stall = progress.stop();
        assertEquals(payload.sha256(), result.sha256(), "byte-exact through the restart");
        Summary.line("OcbridgeRestartTest", "SIGKILL and restart of the receiving gateway B mid-transfer (200 MiB TCP):"
                        + " kill -> ready %d ms; transfer stalled %d ms; byte-exact", (readyNs - killedNs) / 1_000_000,
                stall.toMillis());
    }
}

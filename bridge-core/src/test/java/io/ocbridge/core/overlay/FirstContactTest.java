package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Recovery without waiting for timers: a gateway that starts (or takes over as HA active) contacts every peer whose
 * endpoint it knows at once, paced for big hubs; a standby says nothing to anyone.
 */
@ExtendWith(NoLeaks.class)
class FirstContactTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);

    private final MemoryNetwork net = new MemoryNetwork();
    private final PrivateKey keyA = PrivateKey.generate();
    private final PrivateKey keyB = PrivateKey.generate();
    private final MemoryNetwork.Node a = net.node(ADDR_A);
    private final MemoryNetwork.Node b = net.node(ADDR_B);
    private final Log log = Log.with("test");

    @AfterEach
    void close() {
        net.closeAll();
    }

    /** Runs both overlays' 20 ms ticks for {@code millis} of virtual time, delivering what they send. */
    private void pump(int millis) {
        for (int t = 0; t < millis; t += 20) {
            net.advanceMillis(20);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
    }

    private Overlay overlayA() {
        Overlay overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock,
                log.child("site=a"));
        overlay.addPeer("site-b", keyB.publicKey(), PresharedKey.zero(), ADDR_B,
                List.of(Cidr.parse("172.16.2.0/24")), 0);
        return overlay;
    }

    private Overlay overlayB() {
        Overlay overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock,
                log.child("site=b"));
        overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.zero(), ADDR_A,
                List.of(Cidr.parse("172.16.1.0/24")), 0);
        return overlay;
    }

    @Test
    void aStartingGatewayHandshakesWithEveryKnownPeerAtOnce() {
        a.overlay = overlayA();
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log);
        b.overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.zero(), null, List.of(Cidr.parse("172.16.1.0/24")), 0);
        b.overlay.start();
        a.overlay.start();
        net.deliverAll();  // no packet and no timer asked for a session
        assertEquals(1, a.overlay.peer("site-b").handshakesCompleted());
        assertEquals(1, b.overlay.peer("site-a").handshakesCompleted(), "confirmed by the initiator's keepalive");
        assertEquals(0, b.overlay.handshakes().get(Event.INITIATION_SENT), "b knows no endpoint: it waits to be reached");
    }

    @Test
    void aRestartedResponderIsReachableWithoutWaitingForThePeersTimers() {
        a.overlay = overlayA();
        b.overlay = overlayB();
        a.overlay.start();
        b.overlay.start();
        net.deliverAll();
        pump(100);  // the two first contacts crossed: the side with the greater key initiates again after 50 ms
        assertEquals(1, a.overlay.peer("site-b").handshakesCompleted(), "one session, one round trip after the 50 ms");
        assertEquals(1, b.overlay.peer("site-a").handshakesCompleted());
        assertEquals(0, a.overlay.drops().get(DropReason.HANDSHAKE_FAILED) + b.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 1));
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());

        b.overlay.close();  // SIGKILL and restart: all of b's sessions are gone, a still holds its old one
        b.overlay = overlayB();
        b.overlay.start();
        net.deliverAll();  // no time passes
        byte[] packet = ipv4(HOST_A, HOST_B, 100, 2);
        a.fromDevice(packet);
        net.deliverAll();
        assertEquals(2, b.deviceWrites.size(), "a's next packet reaches the restarted b on the session b started");
        assertArrayEquals(packet, b.deviceWrites.get(1));
    }

    @Test
    void aStandbySendsNothingAndTakesOverWithAHandshake() {
        a.overlay = overlayA();
        b.overlay = overlayB();
        b.overlay.standBy();
        b.overlay.start();
        a.overlay.start();
        net.deliverAll();
        for (int i = 0; i < 3_000; i++) {  // a minute of timers on both sides, with traffic towards the standby
            net.advanceMillis(20);
            if (i % 50 == 0) {
                a.fromDevice(ipv4(HOST_A, HOST_B, 100, i));
                b.fromDevice(ipv4(HOST_B, HOST_A, 100, i));
            }
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
        assertEquals(0, b.datagramsSent, "the standby sent nothing: no response, initiation, keepalive or data");
        assertEquals(0, b.deviceWrites.size());
        assertTrue(b.overlay.drops().get(DropReason.STANDBY) > 0);

        b.overlay.activate();
        assertEquals(1, b.datagramsSent, "taking over sends an initiation at once");
        net.deliverAll();
        byte[] packet = ipv4(HOST_A, HOST_B, 100, 7);
        a.fromDevice(packet);
        net.deliverAll();
        assertArrayEquals(packet, b.deviceWrites.getLast());
    }

    @Test
    void goingStandbyErasesEverySession() {
        a.overlay = overlayA();
        b.overlay = overlayB();
        a.overlay.start();
        b.overlay.start();
        net.deliverAll();
        pump(100);
        Peer aAtB = b.overlay.peer("site-a");
        assertTrue(aAtB.keypairs().current() != null || aAtB.keypairs().next() != null);
        int sent = b.datagramsSent;
        b.overlay.standBy();
        assertEquals(null, aAtB.keypairs().current());
        assertEquals(null, aAtB.keypairs().next());
        b.fromDevice(ipv4(HOST_B, HOST_A, 100, 1));
        for (int i = 0; i < 500; i++) {
            net.advanceMillis(20);
            b.overlay.tick();
        }
        assertEquals(sent, b.datagramsSent);
    }

    @Test
    void sessionsReplacedAgainAndAgainAreReportedAsASplitBrainOncePerMinute() {
        a.overlay = overlayA();
        b.overlay = overlayB();
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            a.overlay.start();
            b.overlay.start();
            net.deliverAll();
            pump(100);
            for (int i = 0; i < 6; i++) {  // two gateways with b's key take turns: each replaces a's young session
                net.advanceMillis(5_000);
                b.overlay.standBy();
                b.overlay.activate();
                net.deliverAll();
                pump(100);
            }
        } finally {
            Log.setOutput(System.err);
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().filter(l -> l.contains("split-brain-suspected") && l.contains("site=a")
                && l.contains("peer=site-b")).count(), log);
        assertEquals(0, log.lines().filter(l -> l.contains("split-brain-suspected") && l.contains("site=b")).count(),
                "b started over itself each time: nothing suspicious about a");
        assertTrue(a.overlay.handshakes().get(Event.FRESH_SESSION) >= 7);
    }

    @Test
    void aHubContactsItsPeersInPacedBurstsNotAllAtOnce() {
        int peers = 3_000;
        Overlay hub = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log);
        a.overlay = hub;
        for (int i = 0; i < peers; i++) {
            hub.addPeer("p" + i, PrivateKey.generate().publicKey(), PresharedKey.zero(),
                    new InetSocketAddress("198.51.100." + (i % 250 + 1), 20_000 + i), List.of(), 0);
        }
        hub.start();
        assertEquals(InitiationPacer.BURST, hub.handshakes().get(Event.INITIATION_SENT), "one burst at start");
        long previous = InitiationPacer.BURST;
        for (int i = 0; i < 50; i++) {  // one second of 20 ms ticks
            net.advanceMillis(20);
            hub.tick();
            long sent = hub.handshakes().get(Event.INITIATION_SENT);
            assertTrue(sent - previous <= InitiationPacer.PER_SECOND / 50 + 1, "at most the pace per tick: " + (sent - previous));
            previous = sent;
        }
        long afterOneSecond = hub.handshakes().get(Event.INITIATION_SENT);
        assertTrue(afterOneSecond >= InitiationPacer.BURST + InitiationPacer.PER_SECOND - 25
                && afterOneSecond <= InitiationPacer.BURST + InitiationPacer.PER_SECOND + 1, "sent " + afterOneSecond);
        for (int i = 0; i < 150 && hub.firstContactsQueued() > 0; i++) {
            net.advanceMillis(20);
            hub.tick();
        }
        assertEquals(0, hub.firstContactsQueued());
        assertEquals(peers, hub.handshakes().get(Event.INITIATION_SENT), "every peer contacted once, within 3 s");
    }
}

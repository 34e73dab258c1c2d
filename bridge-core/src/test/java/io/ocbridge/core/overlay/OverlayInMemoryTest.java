package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two whole overlays wired through a memory network and a virtual clock, stepped packet by packet. */
@ExtendWith(NoLeaks.class)
class OverlayInMemoryTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);

    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private Peer bAtA;
    private Peer aAtB;

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    @BeforeEach
    void setUp() {
        build(PresharedKey.zero(), PresharedKey.zero(), ADDR_B, null);
    }

    private void build(PresharedKey pskA, PresharedKey pskB, InetSocketAddress endpointOfB, InetSocketAddress endpointOfA) {
        net = new MemoryNetwork();
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        Log log = Log.with("test");
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log.child("site=a"));
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log.child("site=b"));
        bAtA = a.overlay.addPeer("site-b", keyB.publicKey(), pskA, endpointOfB,
                List.of(Cidr.parse("10.77.0.2/32"), Cidr.parse("172.16.2.0/24")), 0);
        aAtB = b.overlay.addPeer("site-a", keyA.publicKey(), pskB, endpointOfA,
                List.of(Cidr.parse("10.77.0.1/32"), Cidr.parse("172.16.1.0/24")), 0);
    }

    @Test
    void firstPacketTriggersHandshakeAndArrivesIntact() {
        byte[] packet = ipv4(HOST_A, HOST_B, 100, 7);
        a.fromDevice(packet);
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());
        assertArrayEquals(packet, b.deviceWrites.get(0));
        assertEquals(1, bAtA.handshakesCompleted());
        assertEquals(1, aAtB.handshakesCompleted(), "responder confirms on the first transport packet");

        byte[] reply = ipv4(HOST_B, HOST_A, 1380, 9);
        b.fromDevice(reply);
        net.deliverAll();
        assertEquals(1, a.deviceWrites.size());
        assertArrayEquals(reply, a.deviceWrites.get(0));
        assertEquals(ADDR_A, aAtB.endpoint(), "responder learned the initiator's endpoint");
    }

    @Test
    void handshakeWithMatchingPresharedKey() {
        PresharedKey psk = PresharedKey.generate();
        build(psk, psk, ADDR_B, null);
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());
    }

    @Test
    void mismatchedPresharedKeyNeverCompletes() {
        build(PresharedKey.generate(), PresharedKey.generate(), ADDR_B, null);
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        assertEquals(0, b.deviceWrites.size());
        assertEquals(0, bAtA.handshakesCompleted());
        assertEquals(1, a.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
    }

    @Test
    void simultaneousInitiationsResolveWithoutAFailedHandshake() {
        build(PresharedKey.zero(), PresharedKey.zero(), ADDR_B, ADDR_A);
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 2));
        net.deliverAll();
        // Both retransmit after REKEY_TIMEOUT plus their own jitter; ticks as fine as the daemon's.
        for (int i = 0; i < 2_000 && (a.deviceWrites.isEmpty() || b.deviceWrites.isEmpty()); i++) {
            net.advanceMillis(20);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
        assertEquals(1, a.deviceWrites.size());
        assertEquals(1, b.deviceWrites.size());
        assertEquals(0, a.overlay.drops().get(DropReason.HANDSHAKE_FAILED) + b.overlay.drops().get(DropReason.HANDSHAKE_FAILED),
                "crossing initiations are not a failure (like WireGuard, one retransmit settles it)");
    }

    @Test
    void unroutablePacketIsDroppedAndCounted() {
        a.fromDevice(ipv4(HOST_A, v4(8, 8, 8, 8), 10, 1));
        assertEquals(1, a.overlay.drops().get(DropReason.NO_ROUTE));
        assertEquals(0, a.datagramsSent);
    }

    @Test
    void spoofedInnerSourceIsDropped() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        a.fromDevice(ipv4(v4(172, 16, 9, 9), HOST_B, 10, 2));
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());
        assertEquals(1, b.overlay.drops().get(DropReason.SOURCE_NOT_ALLOWED));
    }

    @Test
    void replayedAndTamperedTransportPacketsAreDropped() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 64, 1));
        net.deliverAll();
        MemoryNetwork.Sent data = net.capture.stream()
                .filter(s -> s.from().equals(ADDR_A) && s.bytes()[0] == Protocol.MESSAGE_TRANSPORT && s.bytes().length > 32)
                .findFirst().orElseThrow();
        net.inject(data.bytes(), ADDR_A, ADDR_B);
        net.inject(data.bytes(), new InetSocketAddress("198.51.100.7", 4444), ADDR_B);
        byte[] tampered = data.bytes().clone();
        tampered[40] ^= 1;
        net.inject(tampered, ADDR_A, ADDR_B);
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size(), "no duplicate reaches the device");
        assertEquals(2, b.overlay.drops().get(DropReason.REPLAY));
        assertEquals(1, b.overlay.drops().get(DropReason.DECRYPT_FAILED));
        assertEquals(ADDR_A, aAtB.endpoint(), "a replay from elsewhere does not move the endpoint");
    }

    @Test
    void replayedInitiationDoesNotReplaceTheSession() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        Keypair before = aAtB.keypairs().current();
        MemoryNetwork.Sent initiation = net.capture.stream()
                .filter(s -> s.bytes()[0] == Protocol.MESSAGE_INITIATION).findFirst().orElseThrow();
        net.advanceMillis(50);
        net.inject(initiation.bytes(), new InetSocketAddress("198.51.100.7", 4444), ADDR_B);
        net.deliverAll();
        assertEquals(before, aAtB.keypairs().current());
        assertEquals(ADDR_A, aAtB.endpoint());
        assertEquals(1, b.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
    }

    @Test
    void garbageOfEverySizeIsDroppedWithoutHarm() {
        java.util.Random random = new java.util.Random(42);
        for (int size = 0; size < 300; size++) {
            byte[] junk = new byte[size];
            random.nextBytes(junk);
            if (size >= 4) {
                junk[0] = (byte) (1 + size % 4);
                junk[1] = junk[2] = junk[3] = 0;
            }
            net.inject(junk, new InetSocketAddress("198.51.100.9", 1000 + size), ADDR_B);
        }
        net.deliverAll();
        assertEquals(0, b.deviceWrites.size());
        assertEquals(0, b.overlay.drops().get(DropReason.INTERNAL_ERROR));
        assertEquals(0, b.datagramsSent, "nothing is answered to unauthenticated junk");
    }

    @Test
    void underLoadTheResponderDemandsACookieAndTheInitiatorRetriesAtOnce() {
        b.overlay.forceUnderLoad(true);
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();  // no time passes: initiation, cookie reply, initiation with MAC2, response, data
        assertEquals(1, b.overlay.drops().get(DropReason.COOKIE_REQUIRED));
        assertEquals(2, a.overlay.handshakes().get(HandshakeCounters.Event.INITIATION_SENT));
        assertEquals(1, b.deviceWrites.size(), "the initiation resent with MAC2 is accepted, no 5 s retransmit needed");
    }

    @Test
    void responderWithoutEndpointWaitsForInitiator() {
        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 1));
        assertEquals(1, b.overlay.drops().get(DropReason.NO_ENDPOINT));
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 2));
        net.deliverAll();
        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 3));
        net.deliverAll();
        assertEquals(1, a.deviceWrites.size());
    }

    @Test
    void lostHandshakeIsRetransmittedThenGivenUp() {
        net.lossFilter = d -> true;
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        int sent = a.datagramsSent;
        for (int i = 0; i < 240; i++) {   // 120 s of virtual time: past REKEY_ATTEMPT_TIME plus jitter
            net.advanceMillis(500);
            a.overlay.tick();
            net.deliverAll();
        }
        int attempts = a.datagramsSent - sent;
        assertTrue(attempts >= 15 && attempts <= 19, "retransmits within REKEY_ATTEMPT_TIME: " + attempts);
        assertEquals(1, a.overlay.drops().get(DropReason.STAGED_OVERFLOW), "the waiting packet is released");
    }

    @Test
    void passiveKeepaliveAnswersOneWayTraffic() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        int sentByB = b.datagramsSent;
        net.advanceMillis(10_100);
        b.overlay.tick();
        assertEquals(sentByB + 1, b.datagramsSent, "keepalive after KEEPALIVE_TIMEOUT of silence");
        net.deliverAll();
        assertEquals(0, a.deviceWrites.size(), "keepalives never reach the device");
    }

    @Test
    void initiatorRekeysAfterRekeyAfterTime() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        Keypair first = bAtA.keypairs().current();
        for (int i = 0; i < 121; i++) {       // keep both sides talking for 121 s
            net.advanceMillis(1_000);
            a.overlay.tick();
            b.overlay.tick();
            a.fromDevice(ipv4(HOST_A, HOST_B, 10, i));
            b.fromDevice(ipv4(HOST_B, HOST_A, 10, i));
            net.deliverAll();
        }
        assertNotSame(first, bAtA.keypairs().current());
        assertTrue(bAtA.handshakesCompleted() >= 2);
        assertEquals(0, a.overlay.drops().get(DropReason.DECRYPT_FAILED) + b.overlay.drops().get(DropReason.DECRYPT_FAILED));
    }

    @Test
    void keysAreZeroedAfterThreeRejectAfterTimes() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        assertNotNull(bAtA.keypairs().current());
        for (int i = 0; i < 600; i++) {
            net.advanceMillis(1_000);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
        assertNull(bAtA.keypairs().current());
        assertNull(aAtB.keypairs().current());
    }
}

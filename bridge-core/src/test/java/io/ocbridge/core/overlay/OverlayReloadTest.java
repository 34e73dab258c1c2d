package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/**
 * Live peer changes, as a reload makes them, on three overlays wired in memory: gateway A with peers B and C. An
 * untouched peer keeps its very session object, and traffic across it flows through every change.
 */
@ExtendWith(NoLeaks.class)
class OverlayReloadTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final InetSocketAddress ADDR_C = new InetSocketAddress("192.0.2.3", 51820);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);
    private static final int HOST_B_NEW = v4(172, 16, 9, 10);
    private static final int HOST_C = v4(172, 16, 3, 10);

    private final PrivateKey keyA = PrivateKey.generate();
    private final PrivateKey keyB = PrivateKey.generate();
    private final PrivateKey keyC = PrivateKey.generate();
    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private MemoryNetwork.Node c;
    private Peer bAtA;
    private Peer cAtA;

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        Log log = Log.with("test");
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        c = net.node(ADDR_C);
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log.child("site=a"));
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log.child("site=b"));
        c.overlay = new Overlay("corp", 1420, new LocalIdentity(keyC), c, net.nanos::get, net.wallClock, log.child("site=c"));
        bAtA = a.overlay.addPeer("site-b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("172.16.2.0/24")), 0);
        cAtA = a.overlay.addPeer("site-c", keyC.publicKey(), PresharedKey.zero(), ADDR_C, List.of(Cidr.parse("172.16.3.0/24")), 0);
        b.overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.zero(), null, List.of(Cidr.parse("172.16.1.0/24")), 0);
        c.overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.zero(), null, List.of(Cidr.parse("172.16.1.0/24")), 0);
        a.overlay.start();
        b.overlay.start();
        c.overlay.start();
        send(a, HOST_A, HOST_B, 1);
        send(a, HOST_A, HOST_C, 2);
        assertEquals(1, b.deviceWrites.size());
        assertEquals(1, c.deviceWrites.size());
    }

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    private void send(MemoryNetwork.Node from, int src, int dst, int seed) {
        from.fromDevice(ipv4(src, dst, 200, seed));
        net.deliverAll();
    }

    @Test
    void removingOnePeerAndWideningAnotherKeepsTheUntouchedSession() {
        Keypair sessionB = bAtA.keypairs().current();
        Keypair sessionC = cAtA.keypairs().current();
        int indexesBefore = a.overlay.registry().indexTable().size();

        a.overlay.removePeer(cAtA);
        a.overlay.replaceAllowedIps(bAtA, List.of(Cidr.parse("172.16.2.0/24"), Cidr.parse("172.16.9.0/24")));

        assertTrue(sessionC.isDestroyed(), "the removed peer's keys are zeroed");
        assertNull(a.overlay.peer("site-c"));
        assertEquals(indexesBefore - 1, a.overlay.registry().indexTable().size(), "its index went with it");
        assertTrue(a.overlay.allowedIps().prefixesOf(cAtA).isEmpty());
        send(a, HOST_A, HOST_C, 3);
        assertEquals(1, a.overlay.drops().get(DropReason.NO_ROUTE), "nothing routes to a removed peer");
        assertEquals(1, c.deviceWrites.size());

        byte[] toNewPrefix = ipv4(HOST_A, HOST_B_NEW, 300, 4);
        a.fromDevice(toNewPrefix);
        net.deliverAll();
        send(a, HOST_A, HOST_B, 5);
        assertEquals(3, b.deviceWrites.size());
        assertArrayEquals(toNewPrefix, b.deviceWrites.get(1));
        assertSame(sessionB, bAtA.keypairs().current(), "same session object: no new handshake");
        assertEquals(1, bAtA.handshakesCompleted());
        assertTrue(!sessionB.isDestroyed());
    }

    @Test
    void aPeerReCreatedWithANewPresharedKeyStillRefusesReplayedInitiations() {
        byte[] recorded = net.capture.stream()
                .filter(sent -> sent.from().equals(ADDR_A) && sent.to().equals(ADDR_B)
                        && sent.bytes()[0] == Protocol.MESSAGE_INITIATION)
                .reduce((first, second) -> second).orElseThrow().bytes();
        Peer old = b.overlay.peer("site-a");
        b.overlay.removePeer(old);   // what a reload does when the preshared key file changed
        Peer again = b.overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.generate(), null,
                List.of(Cidr.parse("172.16.1.0/24")), 0);
        InetSocketAddress attacker = new InetSocketAddress("198.51.100.66", 40000);
        net.advanceMillis(1_000);
        net.inject(recorded, attacker, ADDR_B);
        net.deliverAll();
        assertEquals(1, b.overlay.handshakes().get(HandshakeCounters.Event.REPLAYED_TIMESTAMP));
        assertNull(again.endpoint(), "a replayed initiation must not move the peer's endpoint");
    }

    @Test
    void aRemovedPeerCannotHandshakeAgainButARemovedAndAddedOneCan() {
        a.overlay.removePeer(cAtA);
        c.fromDevice(ipv4(HOST_C, HOST_A, 100, 6));  // C still has a session: its packet is not accepted
        net.advanceMillis(Protocol.REKEY_TIMEOUT_NANOS / 1_000_000 + 1);
        net.deliverAll();
        assertEquals(0, a.deviceWrites.size(), "nothing from C reaches A's device");

        Peer again = a.overlay.addPeer("site-c", keyC.publicKey(), PresharedKey.zero(), ADDR_C,
                List.of(Cidr.parse("172.16.3.0/24")), 0);
        send(a, HOST_A, HOST_C, 7);
        assertEquals(2, c.deviceWrites.size(), "a fresh peer handshakes anew");
        assertEquals(1, again.handshakesCompleted());
    }

    @Test
    void keepaliveAndEndpointChangesKeepTheSession() {
        Keypair sessionB = bAtA.keypairs().current();
        int sentBefore = a.datagramsSent;
        a.overlay.persistentKeepalive(bAtA, 25);
        assertEquals(sentBefore + 1, a.datagramsSent, "turning keepalive on sends one at once");
        net.deliverAll();
        for (int step = 0; step < 251; step++) {  // 25.1 s of 100 ms ticks on both sides
            net.advanceMillis(100);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
        assertTrue(a.datagramsSent >= sentBefore + 2, "and again after the interval");
        bAtA.endpoint(ADDR_B);
        send(a, HOST_A, HOST_B, 8);
        assertSame(sessionB, bAtA.keypairs().current());
        assertEquals(1, bAtA.handshakesCompleted());
        assertEquals(2, b.deviceWrites.size());
    }
}

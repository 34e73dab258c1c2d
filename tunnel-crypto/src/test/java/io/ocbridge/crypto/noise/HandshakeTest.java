package io.ocbridge.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieChecker;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.Response;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Two peers wired together in memory, stepped message by message. */
class HandshakeTest {

    private static final int INITIATOR_INDEX = 0x11223344;
    private static final int RESPONDER_INDEX = 0x55667788;

    private final TestClocks clocks = new TestClocks();
    private final LocalIdentity alice = new LocalIdentity(PrivateKey.generate());
    private final LocalIdentity bob = new LocalIdentity(PrivateKey.generate());

    private PeerHandshake aliceToBob;
    private PeerHandshake bobToAlice;
    private Function<PublicKey, PeerHandshake> bobsPeers;

    private void connect(PresharedKey alicePsk, PresharedKey bobPsk) {
        aliceToBob = new PeerHandshake(alice, bob.publicKey(), alicePsk, clocks.wall, clocks.nanoClock);
        bobToAlice = new PeerHandshake(bob, alice.publicKey(), bobPsk, clocks.wall, clocks.nanoClock);
        bobsPeers = key -> key.equals(alice.publicKey()) ? bobToAlice : null;
    }

    private ByteBuffer initiation() {
        ByteBuffer msg = ByteBuffer.allocate(Protocol.INITIATION_SIZE);
        aliceToBob.createInitiation(INITIATOR_INDEX, msg);
        assertEquals(Protocol.INITIATION_SIZE, msg.position());
        return msg.flip();
    }

    private InitiationResult bobConsumes(ByteBuffer msg) {
        return Handshakes.consumeInitiation(bob, msg, bobsPeers);
    }

    private Keypair[] handshake() {
        ByteBuffer init = initiation();
        InitiationResult result = bobConsumes(init);
        assertTrue(result.ok(), () -> "initiation refused: " + result.failure());
        assertSame(bobToAlice, result.peer());
        assertEquals(INITIATOR_INDEX, result.senderIndex());

        ByteBuffer response = ByteBuffer.allocateDirect(Protocol.RESPONSE_SIZE);
        Keypair bobKeys = bobToAlice.createResponse(RESPONDER_INDEX, response);
        Keypair aliceKeys = aliceToBob.consumeResponse(response.flip());
        assertNotNull(aliceKeys);
        return new Keypair[] {aliceKeys, bobKeys};
    }

    static void assertTransportWorks(Keypair from, Keypair to) {
        byte[] payload = new byte[64];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        long counter = from.nextSendCounter();
        ByteBuffer packet = ByteBuffer.allocateDirect(payload.length + Protocol.TAG_SIZE);
        from.seal(counter, ByteBuffer.wrap(payload), packet);
        ByteBuffer opened = ByteBuffer.allocate(payload.length);
        assertTrue(to.open(counter, packet.flip(), opened));
        assertTrue(to.acceptCounter(counter));
        assertFalse(to.acceptCounter(counter));
        assertArrayEquals(payload, opened.array());
    }

    @Test
    void completesWithoutPresharedKeyAndBothDirectionsCarryData() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        Keypair[] keys = handshake();
        Keypair a = keys[0];
        Keypair b = keys[1];
        assertTrue(a.isInitiator());
        assertFalse(b.isInitiator());
        assertEquals(INITIATOR_INDEX, a.localIndex());
        assertEquals(RESPONDER_INDEX, a.remoteIndex());
        assertEquals(RESPONDER_INDEX, b.localIndex());
        assertEquals(INITIATOR_INDEX, b.remoteIndex());
        assertTransportWorks(a, b);
        assertTransportWorks(b, a);
        assertEquals(PeerHandshake.State.ZEROED, aliceToBob.state());
        assertEquals(PeerHandshake.State.ZEROED, bobToAlice.state());
    }

    @Test
    void completesWithPresharedKey() {
        PresharedKey psk = PresharedKey.generate();
        connect(psk, copyOf(psk));
        Keypair[] keys = handshake();
        assertTransportWorks(keys[0], keys[1]);
        assertTransportWorks(keys[1], keys[0]);
    }

    @Test
    void sessionsFromSeparateHandshakesDoNotInteroperate() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        Keypair[] first = handshake();
        clocks.advance(Duration.ofSeconds(1));
        Keypair[] second = handshake();
        ByteBuffer packet = ByteBuffer.allocate(32);
        first[0].seal(0, ByteBuffer.allocate(16), packet);
        assertFalse(second[1].open(0, packet.flip(), ByteBuffer.allocate(16)));
    }

    @Test
    void wrongPresharedKeyFailsAtTheInitiator() {
        connect(PresharedKey.generate(), PresharedKey.generate());
        assertTrue(bobConsumes(initiation()).ok());
        ByteBuffer response = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);
        bobToAlice.createResponse(RESPONDER_INDEX, response);
        assertNull(aliceToBob.consumeResponse(response.flip()));
        assertEquals(PeerHandshake.State.INITIATION_CREATED, aliceToBob.state());
    }

    @Test
    void replayedInitiationIsRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        ByteBuffer init = initiation();
        ByteBuffer copy = init.duplicate();
        assertTrue(bobConsumes(init).ok());
        clocks.advance(Duration.ofSeconds(5));
        assertEquals(HandshakeFailure.REPLAYED_TIMESTAMP, bobConsumes(copy).failure());
    }

    @Test
    void olderInitiationArrivingLateIsARefusedReplay() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        ByteBuffer older = initiation();
        clocks.advance(Duration.ofSeconds(1));
        ByteBuffer newer = initiation();
        assertTrue(bobConsumes(newer).ok());
        clocks.advance(Duration.ofSeconds(1));
        assertEquals(HandshakeFailure.REPLAYED_TIMESTAMP, bobConsumes(older).failure());
    }

    @Test
    void initiationsFasterThanFiftyASecondAreRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        assertTrue(bobConsumes(initiation()).ok());
        clocks.wall.now = clocks.wall.now.plusSeconds(1); // fresh timestamp...
        clocks.advanceNanosOnly(Duration.ofMillis(10));   // ...but only 10 ms later by the monotonic clock
        ByteBuffer second = initiation();
        assertEquals(HandshakeFailure.TOO_FREQUENT, bobConsumes(second.duplicate()).failure());
        clocks.advanceNanosOnly(Duration.ofMillis(15));
        assertTrue(bobConsumes(second).ok());
    }

    @Test
    void unknownPeerIsRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        InitiationResult result = Handshakes.consumeInitiation(bob, initiation(), key -> null);
        assertEquals(HandshakeFailure.UNKNOWN_PEER, result.failure());
        assertNull(result.peer());
        assertEquals(INITIATOR_INDEX, result.senderIndex());
    }

    @Test
    void initiationForSomeoneElseDoesNotDecrypt() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        LocalIdentity carol = new LocalIdentity(PrivateKey.generate());
        assertEquals(HandshakeFailure.DECRYPT_STATIC,
                Handshakes.consumeInitiation(carol, initiation(), bobsPeers).failure());
    }

    @Test
    void peerOfAnotherIdentityIsWrongState() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        LocalIdentity bobAgain = new LocalIdentity(PrivateKey.generate());
        // Lookup hands back a peer bound to a different (e.g. replaced) identity.
        PeerHandshake stale = new PeerHandshake(bobAgain, alice.publicKey(), PresharedKey.zero(), clocks.wall,
                clocks.nanoClock);
        assertEquals(HandshakeFailure.WRONG_STATE,
                Handshakes.consumeInitiation(bob, initiation(), key -> stale).failure());
    }

    @Test
    void smallOrderEphemeralIsRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        ByteBuffer init = initiation();
        for (int i = 0; i < 32; i++) {
            init.put(Initiation.EPHEMERAL_OFFSET + i, (byte) (i == 0 ? 1 : 0));
        }
        assertEquals(HandshakeFailure.LOW_ORDER_POINT, bobConsumes(init).failure());
    }

    @Test
    void smallOrderPeerKeyIsRefusedAtConfiguration() {
        PublicKey zero = PublicKey.fromBytes(new byte[32], 0);
        assertThrows(IllegalArgumentException.class,
                () -> new PeerHandshake(alice, zero, PresharedKey.zero(), clocks.wall, clocks.nanoClock));
    }

    @Test
    void malformedInitiations() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        ByteBuffer init = initiation();
        assertEquals(HandshakeFailure.MALFORMED, bobConsumes(init.duplicate().limit(147)).failure());
        ByteBuffer longer = ByteBuffer.allocate(149).put(init.duplicate()).put((byte) 0).flip();
        assertEquals(HandshakeFailure.MALFORMED, bobConsumes(longer).failure());
        ByteBuffer wrongType = ByteBuffer.allocate(148).put(init.duplicate()).put(0, (byte) 2).flip();
        assertEquals(HandshakeFailure.MALFORMED, bobConsumes(wrongType).failure());
        assertEquals(HandshakeFailure.MALFORMED, bobConsumes(ByteBuffer.allocate(2)).failure());
        assertTrue(bobConsumes(init).ok());
    }

    @Test
    void everyFlippedInitiationByteIsCaught() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        CookieChecker bobsChecker = new CookieChecker(bob.publicKey(), clocks.nanoClock);
        CookieGenerator alicesMacs = new CookieGenerator(bob.publicKey(), clocks.nanoClock);
        byte[] source = {10, 0, 0, 1, 0x1f, (byte) 0x90};

        // Obtain a cookie so that mac2 is in force and covers the whole message.
        ByteBuffer first = initiation();
        alicesMacs.addMacs(first);
        ByteBuffer reply = ByteBuffer.allocate(Protocol.COOKIE_REPLY_SIZE);
        bobsChecker.createReply(first, INITIATOR_INDEX, source, reply);
        assertTrue(alicesMacs.consumeReply(reply.flip()));

        clocks.advance(Duration.ofSeconds(1));
        ByteBuffer init = initiation();
        alicesMacs.addMacs(init);
        assertTrue(bobsChecker.checkMac1(init));
        assertTrue(bobsChecker.checkMac2(init, source));

        byte[] original = bytes(init);
        for (int i = 0; i < Protocol.INITIATION_SIZE; i++) {
            ByteBuffer flipped = ByteBuffer.wrap(original.clone());
            flipped.put(i, (byte) (flipped.get(i) ^ 0x01));
            assertFalse(bobsChecker.checkMac2(flipped, source), "mac2 missed byte " + i);
            if (i < Initiation.MAC1_OFFSET + Protocol.MAC_SIZE) {
                assertFalse(bobsChecker.checkMac1(flipped), "mac1 missed byte " + i);
            }
            boolean noiseAuthenticated = i < Initiation.SENDER_OFFSET
                    || (i >= Initiation.EPHEMERAL_OFFSET && i < Initiation.MAC1_OFFSET);
            if (noiseAuthenticated) {
                assertFalse(bobConsumes(flipped).ok(), "handshake accepted flipped byte " + i);
            }
        }
        // None of the refusals disturbed Bob: the genuine message still goes through.
        assertTrue(bobConsumes(ByteBuffer.wrap(original)).ok());
    }

    @Test
    void everyFlippedResponseByteIsCaught() {
        PresharedKey psk = PresharedKey.generate();
        connect(psk, copyOf(psk));
        CookieChecker alicesChecker = new CookieChecker(alice.publicKey(), clocks.nanoClock);
        CookieGenerator bobsMacs = new CookieGenerator(alice.publicKey(), clocks.nanoClock);

        assertTrue(bobConsumes(initiation()).ok());
        ByteBuffer response = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);
        Keypair bobKeys = bobToAlice.createResponse(RESPONDER_INDEX, response);
        bobsMacs.addMacs(response.flip());
        assertTrue(alicesChecker.checkMac1(response));

        byte[] original = bytes(response);
        for (int i = 0; i < Response.MAC2_OFFSET; i++) {
            ByteBuffer flipped = ByteBuffer.wrap(original.clone());
            flipped.put(i, (byte) (flipped.get(i) ^ 0x80));
            assertFalse(alicesChecker.checkMac1(flipped), "mac1 missed byte " + i);
            boolean noiseChecked = i < Response.SENDER_OFFSET || (i >= Response.RECEIVER_OFFSET && i < Response.MAC1_OFFSET);
            if (noiseChecked) {
                assertNull(aliceToBob.consumeResponse(flipped), "accepted flipped byte " + i);
            }
        }
        Keypair aliceKeys = aliceToBob.consumeResponse(ByteBuffer.wrap(original));
        assertNotNull(aliceKeys);
        assertTransportWorks(aliceKeys, bobKeys);
    }

    @Test
    void responseToAnEarlierInitiationIsRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        assertTrue(bobConsumes(initiation()).ok());
        ByteBuffer staleResponse = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);
        bobToAlice.createResponse(RESPONDER_INDEX, staleResponse);
        staleResponse.flip();

        // Alice retried with the same sender index (fresh ephemeral) before the response arrived.
        initiation();
        assertNull(aliceToBob.consumeResponse(staleResponse.duplicate()));
        // And with a new index the receiver field no longer matches either.
        aliceToBob.createInitiation(INITIATOR_INDEX + 1, ByteBuffer.allocate(Protocol.INITIATION_SIZE));
        assertNull(aliceToBob.consumeResponse(staleResponse));
    }

    @Test
    void responseWithoutPendingInitiationIsRefused() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        Keypair[] keys = handshake();
        assertNotNull(keys[0]);
        assertTrue(bobConsumes(initiationAfter(Duration.ofSeconds(1))).ok());
        ByteBuffer response = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);
        bobToAlice.createResponse(RESPONDER_INDEX, response);
        aliceToBob.clear();
        assertNull(aliceToBob.consumeResponse(response.flip()));
    }

    @Test
    void createResponseNeedsAConsumedInitiation() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        assertThrows(IllegalStateException.class,
                () -> bobToAlice.createResponse(1, ByteBuffer.allocate(Protocol.RESPONSE_SIZE)));
        assertThrows(IllegalArgumentException.class, () -> aliceToBob.createInitiation(1, ByteBuffer.allocate(100)));
        assertEquals(PeerHandshake.State.ZEROED, aliceToBob.state());
    }

    @Test
    void simultaneousInitiationsBothConsumedLastOneWins() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        // Bob also initiates; his pending handshake is abandoned when Alice's initiation arrives.
        bobToAlice.createInitiation(RESPONDER_INDEX, ByteBuffer.allocate(Protocol.INITIATION_SIZE));
        Keypair[] keys = handshake();
        assertTransportWorks(keys[0], keys[1]);
    }

    @Test
    void initiationBytesHaveTheWireLayout() {
        connect(PresharedKey.zero(), PresharedKey.zero());
        byte[] m = bytes(initiation());
        assertEquals("01000000" + "44332211", HexFormat.of().formatHex(m, 0, 8));
        for (int i = Initiation.MAC1_OFFSET; i < Protocol.INITIATION_SIZE; i++) {
            assertEquals(0, m[i]);
        }
    }

    private static PresharedKey copyOf(PresharedKey psk) {
        try {
            return PresharedKey.fromBase64(psk.toBase64());
        } catch (io.ocbridge.crypto.keys.KeyFormatException e) {
            throw new AssertionError(e);
        }
    }

    private ByteBuffer initiationAfter(Duration d) {
        clocks.advance(d);
        return initiation();
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.get(buf.position(), b);
        return b;
    }
}

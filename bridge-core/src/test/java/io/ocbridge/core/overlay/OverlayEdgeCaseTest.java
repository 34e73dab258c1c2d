package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.core.testing.TestClocks;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.KeypairAccess;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.Response;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol edge cases, as the reference implementations test them, on two overlays stepped packet by
 * packet through the memory network: counter exhaustion, TAI64N monotonicity, per-peer and per-source
 * handshake limits, low-order keys, spoofed and replayed packets, and a routing loop.
 */
@ExtendWith(NoLeaks.class)
class OverlayEdgeCaseTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final InetSocketAddress ELSEWHERE = new InetSocketAddress("198.51.100.7", 4444);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);

    /** Small-order Curve25519 points (the usual blocklist, as in X25519Test). */
    private static final String[] LOW_ORDER_POINTS = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };

    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private Peer bAtA;
    private Peer aAtB;
    private PrivateKey keyA;
    private PrivateKey keyB;
    /** A's wall clock runs at the network's pace plus this offset, so a test can step it. */
    private final AtomicLong wallOffsetNanosA = new AtomicLong();

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        keyA = PrivateKey.generate();
        keyB = PrivateKey.generate();
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        Clock wallA = TestClocks.wall(1_700_000_000L, () -> net.nanos.get() + wallOffsetNanosA.get());
        Log log = Log.with("test");
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, wallA, log.child("site=a"));
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log.child("site=b"));
        List<Cidr> loop = List.of(Cidr.parse("198.18.0.0/24"));
        bAtA = a.overlay.addPeer("site-b", keyB.publicKey(), PresharedKey.zero(), ADDR_B,
                Stream.concat(Stream.of(Cidr.parse("172.16.2.0/24")), loop.stream()).toList(), 0);
        aAtB = b.overlay.addPeer("site-a", keyA.publicKey(), PresharedKey.zero(), null,
                Stream.concat(Stream.of(Cidr.parse("172.16.1.0/24")), loop.stream()).toList(), 0);
    }

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    private void connect() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());
    }

    private List<MemoryNetwork.Sent> sent(InetSocketAddress from, int type) {
        return net.capture.stream().filter(s -> s.from().equals(from) && s.bytes()[0] == type).toList();
    }

    private static long counterOf(byte[] transport) {
        return ByteBuffer.wrap(transport).order(ByteOrder.LITTLE_ENDIAN).getLong(8);
    }

    // --- send-counter exhaustion -----------------------------------------------------------------

    @Test
    void atRejectAfterMessagesMinusOneExactlyOneMorePacketGoesThenARehandshake() {
        connect();
        Keypair first = bAtA.keypairs().current();
        KeypairAccess.setSendCounter(first, Protocol.REJECT_AFTER_MESSAGES - 1);
        net.advanceMillis(Protocol.REKEY_TIMEOUT_NANOS / 1_000_000 + 1);  // the first initiation is not "recent"
        int initiationsBefore = sent(ADDR_A, Protocol.MESSAGE_INITIATION).size();

        byte[] last = ipv4(HOST_A, HOST_B, 40, 2);
        a.fromDevice(last);
        List<MemoryNetwork.Sent> transports = sent(ADDR_A, Protocol.MESSAGE_TRANSPORT);
        assertEquals(Protocol.REJECT_AFTER_MESSAGES - 1, counterOf(transports.getLast().bytes()),
                "the last counter is used");
        byte[] refused = ipv4(HOST_A, HOST_B, 40, 3);
        a.fromDevice(refused);
        assertEquals(transports.size(), sent(ADDR_A, Protocol.MESSAGE_TRANSPORT).size(),
                "nothing is sealed past REJECT_AFTER_MESSAGES");
        assertEquals(initiationsBefore + 1, sent(ADDR_A, Protocol.MESSAGE_INITIATION).size(),
                "the exhausted session starts exactly one new handshake");

        net.deliverAll();
        assertNotSame(first, bAtA.keypairs().current(), "a fresh session replaced the exhausted one");
        assertEquals(3, b.deviceWrites.size(), "the last counter and the refused packet both arrive");
        assertArrayEquals(last, b.deviceWrites.get(1));
        assertArrayEquals(refused, b.deviceWrites.get(2), "the refused packet waited for the new session");
        for (MemoryNetwork.Sent s : sent(ADDR_A, Protocol.MESSAGE_TRANSPORT)) {
            assertTrue(Long.compareUnsigned(counterOf(s.bytes()), Protocol.REJECT_AFTER_MESSAGES) < 0);
        }
        assertEquals(0, b.overlay.drops().get(DropReason.KEYPAIR_EXPIRED) + b.overlay.drops().get(DropReason.REPLAY));
    }

    /** The receiver refuses counters at or past REJECT_AFTER_MESSAGES even if a sender used them. */
    @ParameterizedTest(name = "counter {0}")
    @ValueSource(longs = {Protocol.REJECT_AFTER_MESSAGES, Protocol.REJECT_AFTER_MESSAGES + 1, -1L})
    void receiverRefusesCountersAtOrPastTheRejectLimit(long counter) {
        connect();
        MemoryNetwork.Sent data = sent(ADDR_A, Protocol.MESSAGE_TRANSPORT).getFirst();
        byte[] forged = data.bytes().clone();
        ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN).putLong(8, counter);
        net.inject(forged, ADDR_A, ADDR_B);
        net.deliverAll();
        assertEquals(1, b.overlay.drops().get(DropReason.KEYPAIR_EXPIRED));
        assertEquals(1, b.deviceWrites.size());
    }

    @ParameterizedTest(name = "counter REKEY_AFTER_MESSAGES{0}")
    @ValueSource(longs = {-1, 0, 1})
    void rekeyAfterMessagesMakesTheInitiatorStartANewHandshake(long delta) {
        connect();
        Keypair first = bAtA.keypairs().current();
        KeypairAccess.setSendCounter(first, Protocol.REKEY_AFTER_MESSAGES + delta);
        net.advanceMillis(Protocol.REKEY_TIMEOUT_NANOS / 1_000_000 + 1);
        int initiationsBefore = sent(ADDR_A, Protocol.MESSAGE_INITIATION).size();
        a.fromDevice(ipv4(HOST_A, HOST_B, 40, 2));
        boolean rekey = delta >= 0;
        assertEquals(initiationsBefore + (rekey ? 1 : 0), sent(ADDR_A, Protocol.MESSAGE_INITIATION).size());
        net.deliverAll();
        assertEquals(2, b.deviceWrites.size(), "the packet itself still goes on the old session");
        if (rekey) {
            assertNotSame(first, bAtA.keypairs().current());
            assertEquals(2, bAtA.handshakesCompleted());
        } else {
            assertSame(first, bAtA.keypairs().current());
        }
    }

    @Test
    void rekeyAfterMessagesAppliesToTheResponderToo() {
        connect();
        b.fromDevice(ipv4(HOST_B, HOST_A, 40, 3));   // B (responder) sends on its confirmed session
        net.deliverAll();
        Keypair responderSession = aAtB.keypairs().current();
        assertTrue(!responderSession.isInitiator());
        KeypairAccess.setSendCounter(responderSession, Protocol.REKEY_AFTER_MESSAGES);
        net.advanceMillis(Protocol.REKEY_TIMEOUT_NANOS / 1_000_000 + 1);
        int initiationsBefore = sent(ADDR_B, Protocol.MESSAGE_INITIATION).size();
        b.fromDevice(ipv4(HOST_B, HOST_A, 40, 4));
        assertEquals(initiationsBefore + 1, sent(ADDR_B, Protocol.MESSAGE_INITIATION).size(),
                "message-count rekey is not reserved to the initiator");
    }

    // --- TAI64N monotonicity and the per-peer initiation limit ---------------------------------------

    @Test
    void replayedOrOlderInitiationIsRefusedAndCounted() {
        connect();
        byte[] older = sent(ADDR_A, Protocol.MESSAGE_INITIATION).getFirst().bytes();
        net.advanceMillis(6_000);
        a.overlay.handshaker().initiate(bAtA, true);
        net.deliverAll();
        assertEquals(2, aAtB.handshakesCompleted(), "a newer initiation is accepted");
        net.advanceMillis(100);
        net.inject(older, ADDR_A, ADDR_B);
        net.deliverAll();
        assertEquals(1, b.overlay.handshakes().get(Event.REPLAYED_TIMESTAMP));
        assertEquals(1, b.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
    }

    @Test
    void peerWhoseClockSteppedBackIsRefusedUntilItPassesTheLastTimestamp() {
        connect();
        Keypair session = aAtB.keypairs().current();
        wallOffsetNanosA.set(-60_000_000_000L);   // A's wall clock steps back a minute
        long refused = 0;
        int attempts = 0;
        // A retries every 5 s (REKEY_TIMEOUT) as its timers would; B refuses until A's clock is past the last stamp.
        while (aAtB.keypairs().current() == session && attempts < 20) {
            net.advanceMillis(5_000);
            a.overlay.handshaker().initiate(bAtA, true);
            net.deliverAll();
            attempts++;
            refused = b.overlay.handshakes().get(Event.REPLAYED_TIMESTAMP);
        }
        System.out.printf("clock stepped back 60 s: %d initiations refused (replayed_timestamp), accepted after %d s%n",
                refused, attempts * 5);
        // After 60 s A's clock reads exactly the last accepted stamp: equal is refused too (strictly later).
        assertEquals(13, attempts, "accepted at the first attempt whose timestamp is past the last accepted one");
        assertEquals(12, refused);
        assertEquals(refused, b.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
        assertNotSame(session, aAtB.keypairs().current());
    }

    @Test
    void oneInitiationPerTwentyMillisecondsPerPeer() {
        connect();
        net.advanceMillis(30);
        wallOffsetNanosA.addAndGet(1_000_000_000L);   // fresh timestamps; only the monotonic clock is close
        a.overlay.handshaker().initiate(bAtA, true);
        net.deliverAll();
        assertEquals(0, b.overlay.handshakes().get(Event.INITIATION_TOO_FREQUENT), "30 ms after the last is fine");
        long completed = aAtB.handshakesCompleted();

        net.advanceMillis(10);
        wallOffsetNanosA.addAndGet(1_000_000_000L);
        a.overlay.handshaker().initiate(bAtA, true);
        net.deliverAll();
        assertEquals(1, b.overlay.handshakes().get(Event.INITIATION_TOO_FREQUENT), "10 ms after the last is refused");

        net.advanceMillis(15);   // 25 ms since the last accepted one
        wallOffsetNanosA.addAndGet(1_000_000_000L);
        a.overlay.handshaker().initiate(bAtA, true);
        net.deliverAll();
        assertEquals(1, b.overlay.handshakes().get(Event.INITIATION_TOO_FREQUENT), "25 ms after the last accepted is fine");
        assertEquals(3, b.overlay.handshakes().get(Event.RESPONSE_SENT));
        assertEquals(completed + 1, aAtB.handshakesCompleted());
    }

    // --- per-source rate limit under load ----------------------------------------------------------

    @Test
    void underLoadASourceWithAValidCookieStillGetsOnlyItsBurst() {
        b.overlay.forceUnderLoad(true);
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();                         // initiation without MAC2 → cookie reply → at once with MAC2 → accepted
        assertEquals(1, b.deviceWrites.size());
        byte[] withMac2 = sent(ADDR_A, Protocol.MESSAGE_INITIATION).getLast().bytes();

        for (int i = 0; i < 10; i++) {
            net.inject(withMac2, ADDR_A, ADDR_B);
        }
        net.deliverAll();
        assertEquals(6, b.overlay.drops().get(DropReason.RATE_LIMITED),
                "burst 5 per source: the accepted one and 4 replays pass the limiter, 6 do not");
        assertEquals(4, b.overlay.handshakes().get(Event.REPLAYED_TIMESTAMP), "what passed still meets Noise");

        for (int i = 0; i < 10; i++) {
            net.inject(withMac2, ELSEWHERE, ADDR_B);
        }
        net.deliverAll();
        assertEquals(6, b.overlay.drops().get(DropReason.RATE_LIMITED), "elsewhere the MAC2 is invalid...");
        assertEquals(1 + 5, b.overlay.drops().get(DropReason.COOKIE_REQUIRED),
                "...so it gets cookie replies, a burst of 5 per source...");
        assertEquals(5, b.overlay.drops().get(DropReason.COOKIE_RATE_LIMITED), "...and no more");

        net.advanceMillis(50);
        net.inject(withMac2, ADDR_A, ADDR_B);
        net.deliverAll();
        assertEquals(6, b.overlay.drops().get(DropReason.RATE_LIMITED), "50 ms later one more passes");
        assertEquals(ADDR_A, aAtB.endpoint());
    }

    @Test
    void notUnderLoadNothingIsRateLimited() {
        connect();
        byte[] initiation = sent(ADDR_A, Protocol.MESSAGE_INITIATION).getFirst().bytes();
        for (int i = 0; i < 30; i++) {
            net.inject(initiation, ADDR_A, ADDR_B);
        }
        net.deliverAll();
        assertEquals(0, b.overlay.drops().get(DropReason.RATE_LIMITED));
        assertEquals(30, b.overlay.handshakes().get(Event.REPLAYED_TIMESTAMP));
    }

    // --- low-order X25519 points ---------------------------------------------------------------------

    static Stream<String> lowOrderPoints() {
        return Stream.of(LOW_ORDER_POINTS);
    }

    private static PublicKey point(String hex) {
        return PublicKey.fromBytes(HexFormat.of().parseHex(hex), 0);
    }

    @ParameterizedTest
    @MethodSource("lowOrderPoints")
    void lowOrderStaticKeyIsRefusedAsAPeer(String hex) {
        int peers = a.overlay.peers().size();
        assertThrows(IllegalArgumentException.class, () -> a.overlay.addPeer("evil", point(hex), PresharedKey.zero(),
                ELSEWHERE, List.of(Cidr.parse("203.0.113.0/24")), 25), "a setup error, before any packet");
        assertEquals(peers, a.overlay.peers().size());
        assertEquals(0, a.datagramsSent);
    }

    @ParameterizedTest
    @MethodSource("lowOrderPoints")
    void lowOrderEphemeralInAnInitiationNeverCompletes(String hex) {
        connect();
        byte[] initiation = sent(ADDR_A, Protocol.MESSAGE_INITIATION).getFirst().bytes().clone();
        System.arraycopy(HexFormat.of().parseHex(hex), 0, initiation, Initiation.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        new CookieGenerator(keyB.publicKey(), net.nanos::get).addMacs(ByteBuffer.wrap(initiation));  // passes MAC1
        int sentByB = b.datagramsSent;
        net.advanceMillis(100);
        net.inject(initiation, ELSEWHERE, ADDR_B);
        net.deliverAll();
        assertEquals(1, b.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
        assertEquals(0, b.overlay.drops().get(DropReason.INTERNAL_ERROR));
        assertEquals(sentByB, b.datagramsSent, "no response");
        assertEquals(1, aAtB.handshakesCompleted());
        assertEquals(ADDR_A, aAtB.endpoint());
    }

    @ParameterizedTest
    @MethodSource("lowOrderPoints")
    void lowOrderEphemeralInAResponseNeverCompletes(String hex) {
        net.lossFilter = d -> d.getByte(d.readerIndex()) == Protocol.MESSAGE_RESPONSE;
        a.fromDevice(ipv4(HOST_A, HOST_B, 10, 1));
        net.deliverAll();
        net.lossFilter = d -> false;
        byte[] response = sent(ADDR_B, Protocol.MESSAGE_RESPONSE).getFirst().bytes().clone();
        System.arraycopy(HexFormat.of().parseHex(hex), 0, response, Response.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        new CookieGenerator(keyA.publicKey(), net.nanos::get).addMacs(ByteBuffer.wrap(response));
        net.inject(response, ADDR_B, ADDR_A);
        net.deliverAll();
        assertEquals(1, a.overlay.drops().get(DropReason.HANDSHAKE_FAILED));
        assertEquals(0, a.overlay.drops().get(DropReason.INTERNAL_ERROR));
        assertNull(bAtA.keypairs().current());
        assertEquals(0, bAtA.handshakesCompleted());
        assertEquals(0, b.deviceWrites.size());
    }

    // --- spoofed packets never move an endpoint -------------------------------------------------

    enum Spoof { GARBAGE_TRANSPORT, GARBAGE_INITIATION, REPLAYED_TRANSPORT, REPLAYED_INITIATION, REPLAYED_RESPONSE }

    @ParameterizedTest
    @EnumSource(Spoof.class)
    void spoofedUnauthenticatedPacketNeverMovesAnEndpoint(Spoof kind) {
        connect();
        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 2));
        net.deliverAll();
        net.advanceMillis(100);
        byte[] packet = switch (kind) {
            case GARBAGE_TRANSPORT -> garbage(Protocol.MESSAGE_TRANSPORT, 80, aAtB.keypairs().current().localIndex());
            case GARBAGE_INITIATION -> garbage(Protocol.MESSAGE_INITIATION, Protocol.INITIATION_SIZE, 0);
            case REPLAYED_TRANSPORT -> sent(ADDR_A, Protocol.MESSAGE_TRANSPORT).getFirst().bytes();
            case REPLAYED_INITIATION -> sent(ADDR_A, Protocol.MESSAGE_INITIATION).getFirst().bytes();
            case REPLAYED_RESPONSE -> sent(ADDR_B, Protocol.MESSAGE_RESPONSE).getFirst().bytes();
        };
        InetSocketAddress target = kind == Spoof.REPLAYED_RESPONSE ? ADDR_A : ADDR_B;
        int sentBefore = a.datagramsSent + b.datagramsSent;
        net.inject(packet, ELSEWHERE, target);
        net.deliverAll();
        assertEquals(ADDR_A, aAtB.endpoint());
        assertEquals(ADDR_B, bAtA.endpoint());
        assertEquals(sentBefore, a.datagramsSent + b.datagramsSent, "nothing is answered");
        assertEquals(1, b.deviceWrites.size());
        assertEquals(1, a.deviceWrites.size());
        assertEquals(0, a.overlay.drops().get(DropReason.INTERNAL_ERROR) + b.overlay.drops().get(DropReason.INTERNAL_ERROR));

        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 3));
        net.deliverAll();
        assertEquals(2, a.deviceWrites.size(), "traffic still flows to the real endpoint");
    }

    private static byte[] garbage(int type, int length, int receiverIndex) {
        byte[] junk = new byte[length];
        new java.util.Random(length).nextBytes(junk);
        ByteBuffer b = ByteBuffer.wrap(junk).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        if (type == Protocol.MESSAGE_TRANSPORT) {
            b.putInt(4, receiverIndex);
        }
        return junk;
    }

    // --- replay ---------------------------------------------------------------------------------

    static Stream<Arguments> replays() {
        return Stream.of(Protocol.MESSAGE_INITIATION, Protocol.MESSAGE_RESPONSE, Protocol.MESSAGE_TRANSPORT)
                .flatMap(type -> Stream.of(Arguments.of(type, true), Arguments.of(type, false)));
    }

    /** Every captured packet re-injected, five times each: all dropped, counted, none reaches a device. */
    @ParameterizedTest(name = "type {0}, same source {1}")
    @MethodSource("replays")
    void capturedPacketsReinjectedAreDroppedAndCounted(int type, boolean sameSource) {
        connect();
        b.fromDevice(ipv4(HOST_B, HOST_A, 10, 2));
        net.deliverAll();
        net.advanceMillis(100);
        List<MemoryNetwork.Sent> captured = List.copyOf(net.capture.stream().filter(s -> s.bytes()[0] == type).toList());
        assertFalse(captured.isEmpty());
        int writesA = a.deviceWrites.size();
        int writesB = b.deviceWrites.size();
        long dropsBefore = totalDrops(a) + totalDrops(b);
        for (int round = 0; round < 5; round++) {
            for (MemoryNetwork.Sent s : captured) {
                net.inject(s.bytes(), sameSource ? s.from() : ELSEWHERE, s.to());
            }
        }
        net.deliverAll();
        assertEquals(writesA, a.deviceWrites.size(), "no duplicate reaches A's device");
        assertEquals(writesB, b.deviceWrites.size(), "no duplicate reaches B's device");
        assertEquals(dropsBefore + 5L * captured.size(), totalDrops(a) + totalDrops(b), "every replay counted");
        DropReason expected = switch (type) {
            case Protocol.MESSAGE_INITIATION -> DropReason.HANDSHAKE_FAILED;
            case Protocol.MESSAGE_RESPONSE -> DropReason.UNKNOWN_INDEX;
            default -> DropReason.REPLAY;
        };
        assertEquals(5L * captured.size(), a.overlay.drops().get(expected) + b.overlay.drops().get(expected));
        if (type == Protocol.MESSAGE_INITIATION) {
            assertEquals(5L * captured.size(), b.overlay.handshakes().get(Event.REPLAYED_TIMESTAMP));
        }
        assertEquals(ADDR_A, aAtB.endpoint());
        assertEquals(ADDR_B, bAtA.endpoint());
        System.out.printf("replay type %d from %s: %d re-injected, %d dropped, 0 delivered%n",
                type, sameSource ? "same source" : "another source", 5 * captured.size(), 5 * captured.size());
    }

    private static long totalDrops(MemoryNetwork.Node node) {
        return node.overlay.drops().snapshot().values().stream().mapToLong(Long::longValue).sum();
    }

    // --- routing loop -----------------------------------------------------------------------------

    /**
     * Both sites route 198.18.0.0/24 into the tunnel towards each other, so a packet to 198.18.0.2 goes
     * round and round. The overlay never touches the inner TTL (the kernel decrements it when it
     * forwards) and turns one device packet into at most one datagram, so the loop ends when the TTL
     * does, bounded in packets and bytes.
     */
    @Test
    void routingLoopThroughTheTunnelIsBoundedByTheInnerTtl() {
        int ttl = 64;
        byte[] packet = ipv4(v4(198, 18, 0, 1), v4(198, 18, 0, 2), 100, 5);
        packet[8] = (byte) ttl;
        int deviceReads = 0;
        MemoryNetwork.Node from = a;
        int capturedBefore = net.capture.size();
        while (true) {
            from.fromDevice(packet);
            deviceReads++;
            net.deliverAll();
            MemoryNetwork.Node to = from == a ? b : a;
            byte[] delivered = to.deviceWrites.getLast();
            assertEquals(ttl, delivered[8] & 0xff, "the overlay does not touch the inner TTL");
            to.deviceWrites.clear();
            // The kernel forwards it back into the tunnel only while the TTL allows (else ICMP time exceeded).
            if (ttl <= 1) {
                break;
            }
            ttl--;
            packet = delivered.clone();
            packet[8] = (byte) ttl;
            from = to;
        }
        List<MemoryNetwork.Sent> dataDatagrams = net.capture.subList(capturedBefore, net.capture.size()).stream()
                .filter(s -> s.bytes()[0] == Protocol.MESSAGE_TRANSPORT && s.bytes().length > 32).toList();
        long bytes = dataDatagrams.stream().mapToLong(s -> s.bytes().length).sum();
        System.out.printf("routing loop: %d device packets -> %d datagrams, %d bytes on the wire%n",
                deviceReads, dataDatagrams.size(), bytes);
        assertEquals(64, deviceReads);
        assertEquals(deviceReads, dataDatagrams.size(), "one device packet, one datagram: no amplification");
        assertTrue(bytes <= 64L * (packet.length + Protocol.TRANSPORT_HEADER_SIZE + Protocol.TAG_SIZE + 16));
    }
}

package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.core.testing.TestClocks;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flood of initiations that pass MAC1 (anyone who knows B's public key can make them) from 32 addresses, arriving in
 * the same read burst as a legitimate initiation from A: the flood fills only its own share of B's handshake queue,
 * the rest is dropped before any work, A is answered within the first round, and handshake work stays within its
 * share of the loop's time.
 */
@ExtendWith(NoLeaks.class)
class HandshakeFloodInMemoryTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int FLOOD_SOURCES = 32;
    private static final int FLOOD_MESSAGES = 2000;

    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private PrivateKey keyB;

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        PrivateKey keyA = PrivateKey.generate();
        keyB = PrivateKey.generate();
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock,
                Log.with("test").child("site=a"));
    }

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    private void startB(LongSupplier clock) {
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, clock, TestClocks.wall(1_700_000_000L, clock),
                Log.with("test").child("site=b"));
        b.overlay.addPeer("site-a", a.overlay.identity().publicKey(), PresharedKey.zero(), null,
                List.of(Cidr.parse("172.16.1.0/24")), 0);
        a.overlay.addPeer("site-b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("172.16.2.0/24")),
                0);
    }

    /** An initiation of random bytes with a valid MAC1 for B: costs B a MAC check to tell from a real one. */
    private byte[] forgedInitiation(Random random) {
        byte[] bytes = new byte[Protocol.INITIATION_SIZE];
        random.nextBytes(bytes);
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        view.putInt(0, Protocol.MESSAGE_INITIATION);
        new CookieGenerator(keyB.publicKey(), net.nanos::get).addMacs(view);
        return bytes;
    }

    private static InetSocketAddress floodSource(int i) {
        return new InetSocketAddress("198.51.100." + (1 + i % FLOOD_SOURCES), 40000 + i);
    }

    private void toB(byte[] bytes, InetSocketAddress source) {
        ByteBuf datagram = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        b.overlay.outside().onDatagram(datagram, source);
    }

    /** One read burst at B: the flood, with A's initiation (still in flight from A) halfway through it. */
    private void floodBurstWithAsInitiation() {
        a.fromDevice(ipv4(v4(172, 16, 1, 10), v4(172, 16, 2, 10), 10, 1));
        byte[] initiation = net.capture.getLast().bytes();
        net.lossFilter = datagram -> true;
        net.deliverAll();  // A's initiation, taken off the wire to be injected in the burst below
        net.lossFilter = datagram -> false;
        Random random = new Random(7);
        for (int i = 0; i < FLOOD_MESSAGES; i++) {
            if (i == FLOOD_MESSAGES / 2) {
                toB(initiation, ADDR_A);
            }
            toB(forgedInitiation(random), floodSource(i));
        }
    }

    @Test
    void theFloodFillsOnlyItsShareAndTheLegitimatePeerIsServedInTheFirstRound() {
        startB(net.nanos::get);
        floodBurstWithAsInitiation();
        int queued = FLOOD_SOURCES * HandshakeQueue.PER_SOURCE + 1;
        assertEquals(queued, b.overlay.handshaker().queued());
        assertEquals(FLOOD_MESSAGES + 1 - queued, b.overlay.drops().get(DropReason.HANDSHAKE_QUEUE_FULL),
                "past its share, each flooding message is dropped before any work but MAC1");

        assertEquals(-1, b.overlay.processHandshakes(), "no time passes on this clock: all fits the budget");
        List<InetSocketAddress> answered = net.capture.stream().filter(s -> s.from().equals(ADDR_B))
                .map(MemoryNetwork.Sent::to).toList();
        assertEquals(ADDR_A, answered.get(FLOOD_SOURCES), "A's turn came after one message of each flooding source");
        assertEquals(FLOOD_SOURCES * HandshakeRateLimiter.BURST + 1, b.overlay.drops().get(DropReason.COOKIE_REQUIRED),
                "under load: cookie replies, a burst of 5 per source");
        assertEquals(queued - FLOOD_SOURCES * HandshakeRateLimiter.BURST - 1,
                b.overlay.drops().get(DropReason.COOKIE_RATE_LIMITED), "then no more cookie work for them");

        net.deliverAll();  // A takes its cookie, retries at once with MAC2, B answers: the session stands
        assertEquals(1, b.overlay.handshakes().get(Event.COMPLETED));
        assertEquals(1, b.deviceWrites.size(), "A's first packet arrived");
        assertEquals(0, b.overlay.drops().get(DropReason.INTERNAL_ERROR));
    }

    @Test
    void handshakeWorkKeepsToItsShareOfTheLoop() {
        // Every reading of B's clock is 20 µs later: handshake work costs time, as it does on a real loop.
        AtomicLong base = new AtomicLong(net.nanos.get());
        startB(() -> base.addAndGet(20_000));
        floodBurstWithAsInitiation();
        int queued = b.overlay.handshaker().queued();

        long start = base.get();
        long later = b.overlay.processHandshakes();
        long spent = base.get() - start;
        int firstGo = queued - b.overlay.handshaker().queued();
        assertTrue(firstGo > 0 && later > 0, "some work, then a pause: " + firstGo + " answered, next in " + later
                + " ns");
        assertTrue(spent <= Handshaker.MAX_BURST_NANOS + 300_000, "one go is bounded: " + spent + " ns");

        int before = b.overlay.handshaker().queued();
        b.overlay.processHandshakes();
        assertTrue(before - b.overlay.handshaker().queued() <= 1, "called again at once, it does (almost) nothing");

        // The loop goes on with other work (1 ms at a time) and comes back: over the whole flood, handshakes take no
        // more than their share of its time.
        long busy = 0;
        long from = base.get();
        for (int i = 0; i < 10_000 && b.overlay.handshaker().queued() > 0; i++) {
            base.addAndGet(1_000_000);
            long t0 = base.get();
            b.overlay.processHandshakes();
            busy += base.get() - t0;
        }
        long elapsed = base.get() - from;
        assertTrue(busy <= elapsed * Handshaker.SHARE_PERCENT / 100 + Handshaker.MAX_BURST_NANOS + 300_000,
                "handshakes took " + busy + " ns of " + elapsed);
        assertTrue(busy >= elapsed * Handshaker.SHARE_PERCENT / 100 / 2, "and they did use their share: " + busy
                + " ns of " + elapsed);
        assertEquals(0, b.overlay.handshaker().queued());
    }

    @Test
    void oneSlowMessageOwesAtMostOneBurst() {
        // Every reading of B's clock is 50 ms later: one message takes longer than a whole burst, as the first
        // Diffie-Hellman on a cold JIT does. The pause after it is one burst's worth, not four times the message.
        AtomicLong base = new AtomicLong(net.nanos.get());
        startB(() -> base.addAndGet(50_000_000));
        floodBurstWithAsInitiation();
        long later = b.overlay.processHandshakes();
        assertTrue(later > 0 && later <= Handshaker.MAX_BURST_NANOS * 100 / Handshaker.SHARE_PERCENT + 1,
                "next go in " + later + " ns");
    }
}

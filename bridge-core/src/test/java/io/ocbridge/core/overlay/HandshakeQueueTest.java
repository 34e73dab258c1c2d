package io.ocbridge.core.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.testing.NoLeaks;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The handshake queue alone: bounds in total and per source, round-robin service, copies. */
@ExtendWith(NoLeaks.class)
class HandshakeQueueTest {
    private final HandshakeQueue queue = new HandshakeQueue();

    private static InetSocketAddress v4(int i, int port) {
        return new InetSocketAddress("10.%d.%d.%d".formatted(i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff), port);
    }

    private HandshakeQueue.Offer offerMessage(int marker, InetSocketAddress source) {
        ByteBuf datagram = Unpooled.directBuffer(148).writeIntLE(1).writeIntLE(marker).writeZero(140);
        try {
            return queue.offer(datagram, source);
        } finally {
            datagram.release();
        }
    }

    private boolean offer(int marker, InetSocketAddress source) {
        return offerMessage(marker, source) == HandshakeQueue.Offer.QUEUED;
    }

    @Test
    void aSourceHoldsAtMostItsShareWhateverThePort() {
        for (int i = 0; i < HandshakeQueue.PER_SOURCE; i++) {
            assertTrue(offer(i, v4(1, 1000 + i)));
        }
        assertFalse(offer(99, v4(1, 5000)), "one address, another port: same source");
        assertTrue(offer(100, v4(2, 1000)), "another address has a share of its own");
        assertEquals(HandshakeQueue.PER_SOURCE + 1, queue.size());
    }

    @Test
    void whenFullANewcomerTakesThePlaceOfTheNewestMessageOfTheFattestSource() {
        int sources = HandshakeQueue.CAPACITY / HandshakeQueue.PER_SOURCE;
        for (int s = 0; s < sources; s++) {
            for (int i = 0; i < HandshakeQueue.PER_SOURCE; i++) {
                assertTrue(offer(s << 8 | i, v4(s, 1)));
            }
        }
        assertEquals(HandshakeQueue.CAPACITY, queue.size());
        assertEquals(HandshakeQueue.Offer.QUEUED_INSTEAD_OF_ANOTHER, offerMessage(-1, v4(sources, 1)));
        assertEquals(HandshakeQueue.CAPACITY, queue.size(), "still bounded");
        assertEquals(HandshakeQueue.Offer.REFUSED, offerMessage(0, v4(0, 1)), "a fattest source gets no further");

        List<Integer> markers = drain();
        assertTrue(markers.contains(-1));
        assertEquals(sources - 1, markers.stream().filter(m -> m != -1 && (m & 0xff) == 15).count(),
                "the newest message of one fattest source made room");
        assertEquals(HandshakeQueue.CAPACITY, markers.size());
    }

    @Test
    void aFloodFromMoreSourcesThanTheQueueHoldsCannotLockANewcomerOut() {
        int sources = 4 * HandshakeQueue.CAPACITY / HandshakeQueue.PER_SOURCE;  // 256 sources, 4 messages each fill it
        for (int round = 0; round < 10; round++) {
            for (int s = 0; s < sources; s++) {
                offerMessage(round, v4(s, 1));
            }
        }
        assertEquals(HandshakeQueue.CAPACITY, queue.size());
        assertEquals(HandshakeQueue.Offer.QUEUED_INSTEAD_OF_ANOTHER, offerMessage(-1, v4(sources, 1)));
        assertEquals(sources, drain().indexOf(-1), "served after one message of each flooding source");
    }

    @Test
    void whenEverySourceHoldsOneNobodyIsPushedOut() {
        for (int s = 0; s < HandshakeQueue.CAPACITY; s++) {
            assertTrue(offer(s, v4(s, 1)));
        }
        assertEquals(HandshakeQueue.Offer.REFUSED, offerMessage(-1, v4(HandshakeQueue.CAPACITY, 1)));
        queue.poll();
        assertTrue(offer(-1, v4(HandshakeQueue.CAPACITY, 1)));
    }

    private List<Integer> drain() {
        List<Integer> markers = new ArrayList<>();
        for (HandshakeQueue.Message m; (m = queue.poll()) != null; ) {
            markers.add(m.bytes().getInt(4));
        }
        return markers;
    }

    @Test
    void sourcesAreServedInTurnSoALateInitiatorIsNotStuckBehindAFlood() {
        int floodSources = 32;
        for (int i = 0; i < HandshakeQueue.PER_SOURCE; i++) {
            for (int s = 0; s < floodSources; s++) {
                offer(s << 8 | i, v4(s, 1));
            }
        }
        assertTrue(offer(-1, new InetSocketAddress("192.0.2.1", 51820)));
        List<Integer> order = drain();
        assertEquals(floodSources * HandshakeQueue.PER_SOURCE + 1, order.size());
        assertEquals(floodSources, order.indexOf(-1), "served after one message of each flooding source");
        assertEquals(List.of(0, 1 << 8, 2 << 8), order.subList(0, 3), "one message per source per round");
        assertEquals(0, queue.size());
        assertNull(queue.poll());
    }

    @Test
    void ipv6SourcesAreKeyedByTheirSlash64() {
        for (int i = 0; i < HandshakeQueue.PER_SOURCE; i++) {
            assertTrue(offer(i, new InetSocketAddress("2001:db8:1:2::" + Integer.toHexString(i + 1), 51820)));
        }
        assertFalse(offer(0, new InetSocketAddress("2001:db8:1:2:ffff::1", 51820)), "same /64");
        assertTrue(offer(0, new InetSocketAddress("2001:db8:1:3::1", 51820)), "next /64");
    }

    @Test
    void messagesAreCopiesThatOutliveTheDatagram() {
        ByteBuf datagram = Unpooled.directBuffer(148).writeIntLE(2).writeIntLE(0x1234).writeZero(84);
        assertEquals(HandshakeQueue.Offer.QUEUED, queue.offer(datagram, v4(1, 1)));
        datagram.setIntLE(4, 0);
        datagram.release();
        HandshakeQueue.Message m = queue.poll();
        assertEquals(2, m.type());
        assertEquals(0x1234, m.bytes().getInt(4));
        assertEquals(92, m.bytes().remaining());
    }
}

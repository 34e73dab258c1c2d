package io.ocbridge.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.ocbridge.core.testing.NoLeaks;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kernel's UDP_SEGMENT rules as the batch applies them: equal sizes, a shorter last, one recipient, caps. */
@ExtendWith(NoLeaks.class)
class GsoBatchTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress OTHER = new InetSocketAddress("192.0.2.2", 51820);
    private final GsoBatch batch = new GsoBatch(PooledByteBufAllocator.DEFAULT);

    private static ByteBuf datagram(int size, int fill) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        for (int i = 0; i < size; i++) {
            buf.writeByte(fill + i);
        }
        return buf;
    }

    @Test
    void oneDatagramLeavesAsAPlainDatagram() {
        assertTrue(batch.offer(datagram(100, 1), PEER));
        DatagramPacket packet = batch.take();
        try {
            assertFalse(packet instanceof SegmentedDatagramPacket);
            assertEquals(100, packet.content().readableBytes());
            assertTrue(batch.isEmpty());
        } finally {
            packet.release();
        }
    }

    @Test
    void equalSizesThenAShorterLastMakeOneSegmentedSendInOrder() {
        assertTrue(batch.offer(datagram(1452, 0), PEER));
        assertTrue(batch.offer(datagram(1452, 1), PEER));
        assertTrue(batch.offer(datagram(200, 2), PEER));
        ByteBuf after = datagram(200, 3);
        assertFalse(batch.offer(after, PEER), "a datagram after the short one would break the kernel's rule");
        after.release();
        DatagramPacket packet = batch.take();
        try {
            SegmentedDatagramPacket segmented = assertInstanceOf(SegmentedDatagramPacket.class, packet);
            assertEquals(1452, segmented.segmentSize());
            ByteBuf content = segmented.content();
            assertEquals(1452 * 2 + 200, content.readableBytes());
            assertEquals((byte) 0, content.getByte(0));
            assertEquals((byte) 1, content.getByte(1452));
            assertEquals((byte) 2, content.getByte(2904));
        } finally {
            packet.release();
        }
    }

    @Test
    void aLargerDatagramOrAnotherRecipientStartsANewBatch() {
        assertTrue(batch.offer(datagram(500, 0), PEER));
        ByteBuf larger = datagram(501, 0);
        assertFalse(batch.offer(larger, PEER));
        ByteBuf elsewhere = datagram(500, 0);
        assertFalse(batch.offer(elsewhere, OTHER));
        assertEquals(1, batch.count());
        larger.release();
        elsewhere.release();
        batch.take().release();
    }

    @Test
    void capsAtTheSegmentLimitAndTheByteLimit() {
        int small = 100;
        for (int i = 0; i < GsoBatch.MAX_SEGMENTS; i++) {
            assertTrue(batch.offer(datagram(small, i), PEER));
        }
        ByteBuf extra = datagram(small, 0);
        assertFalse(batch.offer(extra, PEER), "UDP_MAX_SEGMENTS");
        extra.release();
        batch.take().release();

        int big = 1452;
        int fit = GsoBatch.MAX_BYTES / big;
        for (int i = 0; i < fit; i++) {
            assertTrue(batch.offer(datagram(big, i), PEER));
        }
        ByteBuf oneTooMany = datagram(big, 0);
        assertFalse(batch.offer(oneTooMany, PEER), "65,000-byte cap");
        oneTooMany.release();
        assertEquals(fit, batch.count());
        DatagramPacket packet = batch.take();
        assertEquals(fit * big, packet.content().readableBytes());
        packet.release();
    }

    @Test
    void discardReleasesWhatIsHeld() {
        batch.offer(datagram(300, 0), PEER);
        batch.offer(datagram(300, 0), PEER);
        batch.discard();
        assertTrue(batch.isEmpty());
    }
}

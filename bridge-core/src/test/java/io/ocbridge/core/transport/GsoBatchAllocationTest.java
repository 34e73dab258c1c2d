package io.ocbridge.core.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.ocbridge.core.testing.Allocations;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A GSO batch allocates nothing per datagram: only the one message object that carries the batch to the channel. */
class GsoBatchAllocationTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 51820);
    private static final int ROUNDS = 2_000;
    private static final int DATAGRAMS = 44;

    @Test
    void batchingCostsOneMessageObjectPerBatch() {
        PooledByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
        GsoBatch batch = new GsoBatch(pool);
        long bytes = Allocations.allocatedBy(ROUNDS, () -> {
            for (int i = 0; i < DATAGRAMS; i++) {
                ByteBuf datagram = pool.directBuffer(1452);
                datagram.writerIndex(1452);
                batch.offer(datagram, PEER);
            }
            DatagramPacket packet = batch.take();
            packet.release();
        });
        double perBatch = bytes / (double) ROUNDS;
        System.out.printf("GsoBatchAllocationTest: %.1f B per batch of %d datagrams%n", perBatch, DATAGRAMS);
        // A SegmentedDatagramPacket is 24-32 bytes; a per-datagram object would add at least 16 x 44 = 704.
        assertTrue(perBatch <= 64, perBatch + " bytes per batch");
    }
}

package io.ocbridge.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.testing.Allocations;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The offload path allocates nothing per packet: a 64 KB TSO read split into 45 segments (checksums
 * recomputed) and merged back into one super-packet for the device, over and over, takes its buffers
 * from the pool and puts them back.
 */
class OffloadAllocationTest {
    private static final int ROUNDS = 2_000;
    private static final int SEGMENTS = 45;

    @Test
    void splitAndCoalesceAllocateNothingPerSegment() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            byte[] read = Packets.tsoRead(Packets.spec(ipv6, SEGMENTS * 1380 - 17, Packets.TCP_ACK | Packets.TCP_PSH, 3), 1380);
            ByteBuf src = Allocations.untracked(() -> PooledByteBufAllocator.DEFAULT.directBuffer(read.length).writeBytes(read));
            int[] written = new int[1];
            TcpCoalescer coalescer = new TcpCoalescer(PooledByteBufAllocator.DEFAULT, b -> {
                written[0] += b.readableBytes();
                b.release();
            });
            TsoSplitter splitter = new TsoSplitter(PooledByteBufAllocator.DEFAULT, 16, 0);
            Consumer<ByteBuf> toCoalescer = segment -> {  // as DeviceWriter offers: a duplicate, the caller keeps its own
                coalescer.offer(segment.retainedDuplicate());
                segment.release();
            };
            try {
                long bytes = Allocations.allocatedBy(ROUNDS, () -> {
                    splitter.split(src, toCoalescer);
                    coalescer.flush();
                });
                assertEquals(2L * ROUNDS * read.length, written[0], "every round wrote the super-packet back");
                long perSegments = (long) ROUNDS * SEGMENTS;
                System.out.printf("OffloadAllocationTest: ipv6=%s %.3f B per segment%n", ipv6, bytes / (double) perSegments);
                assertTrue(bytes < perSegments, bytes + " bytes over " + perSegments + " segments (ipv6=" + ipv6 + ")");
            } finally {
                src.release();
            }
        }
    }
}

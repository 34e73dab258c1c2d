package io.ocbridge.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.testing.NoLeaks;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The 8-bytes-per-step sum (heap, direct, composite buffers) and the pseudo-header sums, against a reference sum. */
@ExtendWith(NoLeaks.class)
class OffloadChecksumsTest {

    @Test
    void wideSumEqualsTheReferenceAtEveryLengthAndAlignment() {
        Random random = new Random(7);
        byte[] data = new byte[70_000];
        random.nextBytes(data);
        ByteBuf heap = Unpooled.wrappedBuffer(data);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
        try {
            // The direct buffer is leak-tracked at paranoid level, which records reads: keep the rounds few.
            for (int round = 0; round < 400; round++) {
                int offset = random.nextInt(64);
                int length = round < 200 ? round : random.nextInt(round < 390 ? 4096 : data.length - offset);
                int initial = random.nextInt(3) == 0 ? 0 : random.nextInt(0x1_ffff);
                int expected = Packets.referenceSum(data, offset, length, initial);
                assertEquals(expected, Checksums.sum(heap, offset, length, initial), "heap " + offset + "+" + length);
                assertEquals(expected, Checksums.sum(direct, offset, length, initial), "direct " + offset + "+" + length);
            }
            byte[] ones = new byte[65_536];
            java.util.Arrays.fill(ones, (byte) 0xff);
            assertEquals(0xffff, Checksums.sum(Unpooled.wrappedBuffer(ones), 0, ones.length, 0xffff));
        } finally {
            direct.release();
        }
    }

    @Test
    void wideSumOverACompositeBufferTakesTheByteBufPath() {
        byte[] data = Packets.pattern(5000, 3);
        ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(data, 0, 1999), Unpooled.wrappedBuffer(data, 1999, 3001));
        try {
            for (int offset : new int[] {0, 1, 2, 1000, 1998}) {
                assertEquals(Packets.referenceSum(data, offset, 5000 - offset - 1, 0x1234),
                        Checksums.sum(composite, offset, 5000 - offset - 1, 0x1234));
            }
        } finally {
            composite.release();
        }
    }

    @Test
    void pseudoHeaderSumsMatchTheReference() {
        Packets.Spec s = new Packets.Spec();
        s.payload = Packets.pattern(999, 1);
        for (boolean ipv6 : new boolean[] {false, true}) {
            s.ipv6 = ipv6;
            byte[] p = Packets.tcp(s);
            int ip = ipv6 ? 40 : 20;
            ByteBuf b = Unpooled.wrappedBuffer(p);
            int sum = ipv6 ? Checksums.pseudoHeaderV6(b, 0, 6, p.length - ip) : Checksums.pseudoHeaderV4(b, 0, 6, p.length - ip);
            assertEquals(Packets.pseudoSum(p, ipv6, p.length - ip), sum);
        }
    }
}

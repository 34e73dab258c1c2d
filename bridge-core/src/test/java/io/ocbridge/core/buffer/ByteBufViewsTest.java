package io.ocbridge.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.testing.Allocations;
import io.ocbridge.core.testing.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class ByteBufViewsTest {
    private static final PooledByteBufAllocator POOL = PooledByteBufAllocator.DEFAULT;

    private static ByteBuf pattern(ByteBuf buf, int length, int seed) {
        for (int i = 0; i < length; i++) {
            buf.writeByte(seed + i * 7);
        }
        return buf;
    }

    @Test
    void copiesBetweenPooledDirectBuffersAtAbsoluteIndexes() {
        ByteBuf src = pattern(POOL.directBuffer(300), 300, 1);
        ByteBuf dst = POOL.directBuffer(300).writeZero(300);
        try {
            src.readerIndex(5);
            ByteBufViews.copy(src, 10, dst, 20, 200);
            assertEquals(ByteBufUtil.hexDump(src, 10, 200), ByteBufUtil.hexDump(dst, 20, 200));
            assertEquals(0, dst.getByte(19));
            assertEquals(0, dst.getByte(220));
            assertEquals(5, src.readerIndex(), "indexes untouched");
            assertEquals(300, dst.writerIndex());
        } finally {
            src.release();
            dst.release();
        }
    }

    @Test
    void appendGrowsTheDestinationAndAdvancesItsWriterIndex() {
        ByteBuf src = pattern(Unpooled.buffer(2000), 2000, 3);  // heap source, direct destination
        ByteBuf dst = POOL.directBuffer(16);
        try {
            dst.writeByte(0x55);
            ByteBufViews.append(dst, src, 100, 1500);
            assertEquals(1501, dst.writerIndex());
            assertEquals(0x55, dst.getByte(0));
            assertEquals(ByteBufUtil.hexDump(src, 100, 1500), ByteBufUtil.hexDump(dst, 1, 1500));
        } finally {
            src.release();
            dst.release();
        }
    }

    @Test
    void aSliceCopiedIntoItsOwnParentFallsBackToNettysCopy() {
        ByteBuf parent = pattern(POOL.directBuffer(256), 256, 9);
        ByteBuf slice = parent.retainedSlice(0, 64);
        try {
            byte[] expected = ByteBufUtil.getBytes(parent, 0, 64);
            ByteBufViews.copy(slice, 0, parent, 128, 64);  // both share the parent's cached view
            assertArrayEquals(expected, ByteBufUtil.getBytes(parent, 128, 64));
        } finally {
            slice.release();
            parent.release();
        }
    }

    @Test
    void compositeSourcesAndArrayCopiesKeepEveryByte() {
        CompositeByteBuf composite = POOL.compositeDirectBuffer();
        composite.addComponent(true, pattern(POOL.directBuffer(100), 100, 1));
        composite.addComponent(true, pattern(POOL.directBuffer(100), 100, 2));
        ByteBuf dst = POOL.directBuffer(200);
        try {
            ByteBufViews.append(dst, composite, 50, 100);
            assertEquals(ByteBufUtil.hexDump(composite, 50, 100), ByteBufUtil.hexDump(dst));
            byte[] out = new byte[120];
            ByteBufViews.getBytes(composite, 40, out, 10, 100);
            assertArrayEquals(ByteBufUtil.getBytes(composite, 40, 100), java.util.Arrays.copyOfRange(out, 10, 110));
            ByteBufViews.getBytes(dst, 0, out, 0, 100);
            assertArrayEquals(ByteBufUtil.getBytes(dst), java.util.Arrays.copyOf(out, 100));
        } finally {
            composite.release();
            dst.release();
        }
    }

    @Test
    void duplicatesAndSlicesReadTheirOwnIndexes() {
        ByteBuf parent = pattern(POOL.directBuffer(512, 512), 512, 4);
        ByteBuf duplicate = parent.retainedDuplicate();
        ByteBuf slice = parent.retainedSlice(100, 200);
        ByteBuf dst = POOL.directBuffer(300);
        try {
            byte[] out = new byte[50];
            ByteBufViews.getBytes(slice, 10, out, 0, 50);
            assertArrayEquals(ByteBufUtil.getBytes(parent, 110, 50), out, "slice index 10 is parent index 110");
            ByteBufViews.getBytes(duplicate, 10, out, 0, 50);
            assertArrayEquals(ByteBufUtil.getBytes(parent, 10, 50), out);
            ByteBufViews.append(dst, slice, 0, 200);
            ByteBufViews.append(dst, duplicate, 500, 12);
            assertEquals(ByteBufUtil.hexDump(parent, 100, 200) + ByteBufUtil.hexDump(parent, 500, 12), ByteBufUtil.hexDump(dst));
        } finally {
            duplicate.release();
            slice.release();
            parent.release();
            dst.release();
        }
    }

    @Test
    void releasedAndReadOnlyBuffersAreRefusedAsNettyRefusesThem() {
        ByteBuf parent = pattern(POOL.directBuffer(64, 64), 64, 1);
        ByteBuf duplicate = parent.retainedDuplicate();
        duplicate.release();
        try {
            assertThrows(io.netty.util.IllegalReferenceCountException.class,
                    () -> ByteBufViews.getBytes(duplicate, 0, new byte[8], 0, 8));
            assertThrows(java.nio.ReadOnlyBufferException.class,
                    () -> ByteBufViews.copy(parent, 0, parent.asReadOnly(), 32, 8));
        } finally {
            parent.release();
        }
    }

    @Test
    void aRangeOutsideTheBufferIsRefused() {
        ByteBuf buf = POOL.directBuffer(64).writeZero(64);
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> ByteBufViews.getBytes(buf, 60, new byte[8], 0, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> ByteBufViews.copy(buf, 0, buf.duplicate(), 63, 2));
        } finally {
            buf.release();
        }
    }

    /** What the class is for: Netty's own getBytes/setBytes on pooled direct buffers allocate views on Java 25; these do not. */
    @Test
    void copiesAllocateNothing() {
        ByteBuf src = Allocations.untracked(() -> pattern(POOL.directBuffer(1500), 1500, 5));
        ByteBuf dst = Allocations.untracked(() -> POOL.directBuffer(1500));
        byte[] work = new byte[1500];
        try {
            long ours = Allocations.allocatedBy(10_000, () -> {
                ByteBufViews.getBytes(src, 0, work, 0, 1424);
                dst.clear();
                ByteBufViews.append(dst, src, 16, 1424);
                ByteBuf duplicate = src.retainedDuplicate();  // recycled by Netty: the coalescer's borrowed copy
                ByteBufViews.copy(duplicate, 0, dst, 0, 1000);
                duplicate.release();
            });
            // The smallest object is 16 bytes: fewer bytes than rounds means no round allocated (a few hundred bytes
            // once, from the JIT swapping in compiled code mid-loop, can show up).
            assertTrue(ours < 10_000, ours + " bytes allocated by 10,000 rounds of copies");
            long netty = Allocations.allocatedBy(10_000, () -> {
                src.getBytes(0, work, 0, 1424);
                dst.clear();
                dst.writeBytes(src, 16, 1424);
            });
            // Not a claim about Netty, which may change: it shows the measurement sees the allocation it exists to catch.
            System.out.printf("ByteBufViewsTest: Netty's copies allocated %.1f B per round, ours %.2f%n",
                    netty / 10_000.0, ours / 10_000.0);
        } finally {
            src.release();
            dst.release();
        }
    }
}

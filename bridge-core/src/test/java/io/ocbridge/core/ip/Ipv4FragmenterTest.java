package io.ocbridge.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.ocbridge.core.testing.Ipv4Packets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Ipv4FragmenterTest {

    /** Records every buffer it hands out, so a test can prove each one was released (refCnt 0). */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf track(ByteBuf buf) {
            allocated.add(buf);
            return buf;
        }

        long live() {
            return allocated.stream().filter(b -> b.refCnt() != 0).count();
        }

        int allocations() {
            return allocated.size();
        }

        void assertAllReleased() {
            assertEquals(0, live(), "buffers not released");
        }
    }

    static final int UDP = 17;
    static final int SOURCE = 0xC0A8_0001;
    static final int DESTINATION = 0xC0A8_00C7;

    /** A well-formed IPv4 packet (no options, DF clear) of {@code totalLength} bytes with random payload. */
    static ByteBuf ipv4Packet(TrackingAllocator alloc, int totalLength, int id, Random random) {
        return ipv4Packet(alloc, totalLength, id, 0, random);
    }

    static ByteBuf ipv4Packet(TrackingAllocator alloc, int totalLength, int id, int flagsOffset, Random random) {
        byte[] payload = new byte[totalLength - 20];
        random.nextBytes(payload);
        return alloc.directBuffer(totalLength).writeBytes(Ipv4Packets.packet(UDP, SOURCE, DESTINATION, id, flagsOffset, payload));
    }

    static void fixChecksum(ByteBuf packet, int ip) {
        packet.setShort(ip + 10, 0);
        packet.setShort(ip + 10, Checksums.ipv4Header(packet, ip));
    }

    static boolean checksumValid(ByteBuf packet) {
        int ip = packet.readerIndex();
        return Checksums.sum(packet, ip, (packet.getUnsignedByte(ip) & 0x0F) * 4, 0) == 0xFFFF;
    }

    static int totalLength(ByteBuf p) {
        return p.getUnsignedShort(p.readerIndex() + 2);
    }

    static boolean moreFragments(ByteBuf p) {
        return (p.getUnsignedShort(p.readerIndex() + 6) & 0x2000) != 0;
    }

    static int offsetBytes(ByteBuf p) {
        return (p.getUnsignedShort(p.readerIndex() + 6) & 0x1FFF) * 8;
    }

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final List<ByteBuf> out = new ArrayList<>();
    private final Random random = new Random(791);

    @AfterEach
    void releaseAndCheck() {
        out.forEach(ByteBuf::release);
        alloc.assertAllReleased();
    }

    private Ipv4Reassembler reassembler() {
        return new Ipv4Reassembler(alloc, 1 << 22, 256, 30_000_000_000L, () -> 0L);
    }

    /** Offers {@code fragments} (consumed) in order; returns the one datagram they complete. */
    private static ByteBuf reassemble(Ipv4Reassembler reassembler, List<ByteBuf> fragments) {
        ByteBuf result = null;
        for (ByteBuf fragment : fragments) {
            ByteBuf done = reassembler.offer(fragment);
            if (done != null) {
                assertEquals(null, result, "completed twice");
                result = done;
            }
        }
        fragments.clear();
        return result;
    }

    @Test
    void vxlanSizedPacketAtWireGuardMtuMakesTwoFragments() {
        ByteBuf packet = ipv4Packet(alloc, 1550, 0x1234, random);
        ByteBuf original = packet.copy();
        try {
            assertEquals(2, Ipv4Fragmenter.fragment(packet, 1420, alloc, 0, 0, out::add));
            assertEquals(0, packet.refCnt(), "input consumed");

            ByteBuf first = out.get(0);
            assertEquals(1420, totalLength(first));
            assertEquals(1420, first.readableBytes());
            assertTrue(moreFragments(first));
            assertEquals(0, offsetBytes(first));
            ByteBuf second = out.get(1);
            assertEquals(20 + 1530 - 1400, totalLength(second));
            assertEquals(150, second.readableBytes());
            assertTrue(!moreFragments(second));
            assertEquals(1400, offsetBytes(second));
            for (ByteBuf fragment : out) {
                assertTrue(checksumValid(fragment));
                assertEquals(0x1234, fragment.getUnsignedShort(4), "identification copied");
                assertEquals(SOURCE, fragment.getInt(12));
                assertEquals(DESTINATION, fragment.getInt(16));
                assertEquals(UDP, fragment.getUnsignedByte(9));
            }
            assertTrue(ByteBufUtil.equals(original, 20, first, 20, 1400));
            assertTrue(ByteBufUtil.equals(original, 1420, second, 20, 130));

            ByteBuf whole = reassemble(reassembler(), out);
            assertNotNull(whole);
            assertTrue(ByteBufUtil.equals(original, whole), "reassembly restores the original bytes");
            whole.release();
        } finally {
            original.release();
        }
    }

    @Test
    void dontFragmentSetAndTooBigIsDropped() {
        ByteBuf packet = ipv4Packet(alloc, 1550, 1, 0x4000, random);
        assertEquals(0, Ipv4Fragmenter.fragment(packet, 1420, alloc, 0, 0, out::add));
        assertTrue(out.isEmpty());
        assertEquals(0, packet.refCnt());
    }

    @Test
    void packetThatFitsIsPassedThroughAsTheSameBuffer() {
        ByteBuf packet = ipv4Packet(alloc, 1420, 1, 0x4000, random);
        int allocations = alloc.allocations();
        assertEquals(1, Ipv4Fragmenter.fragment(packet, 1420, alloc, 16, 31, out::add));
        assertEquals(1, out.size());
        assertSame(packet, out.get(0));
        assertEquals(1, packet.refCnt());
        assertEquals(allocations, alloc.allocations(), "nothing allocated");
    }

    @Test
    void linkPaddingAfterTotalLengthIsIgnored() {
        ByteBuf packet = ipv4Packet(alloc, 100, 1, random);
        packet.writeZero(26);
        assertEquals(1, Ipv4Fragmenter.fragment(packet, 1420, alloc, 0, 0, out::add));
        assertEquals(100, out.get(0).readableBytes());
        out.clear();
        packet.release();

        ByteBuf big = ipv4Packet(alloc, 1550, 2, random);
        big.writeZero(10);
        assertEquals(2, Ipv4Fragmenter.fragment(big, 1420, alloc, 0, 0, out::add));
        assertEquals(150, out.get(1).readableBytes());
    }

    @Test
    void minimumMtuOf68Works() {
        ByteBuf packet = ipv4Packet(alloc, 1550, 7, random);
        ByteBuf original = packet.copy();
        try {
            int count = Ipv4Fragmenter.fragment(packet, 68, alloc, 0, 0, out::add);
            assertEquals((1530 + 47) / 48, count);
            for (int i = 0; i < out.size(); i++) {
                ByteBuf fragment = out.get(i);
                assertTrue(fragment.readableBytes() <= 68);
                assertEquals(i * 48, offsetBytes(fragment));
                assertEquals(i < count - 1, moreFragments(fragment));
                assertTrue(checksumValid(fragment));
            }
            Collections.reverse(out);
            ByteBuf whole = reassemble(reassembler(), out);
            assertTrue(ByteBufUtil.equals(original, whole));
            whole.release();
        } finally {
            original.release();
        }
    }

    @Test
    void mtuBelow68IsRefused() {
        ByteBuf packet = ipv4Packet(alloc, 200, 1, random);
        assertEquals(0, Ipv4Fragmenter.fragment(packet, 67, alloc, 0, 0, out::add));
        assertEquals(0, packet.refCnt());
    }

    @Test
    void headroomAndTailroomAreReservedAroundEachFragment() {
        ByteBuf packet = ipv4Packet(alloc, 3000, 9, random);
        int count = Ipv4Fragmenter.fragment(packet, 1420, alloc, 16, 31, out::add);
        assertEquals(3, count);
        for (ByteBuf fragment : out) {
            assertEquals(16, fragment.readerIndex());
            assertEquals(totalLength(fragment), fragment.readableBytes());
            assertTrue(fragment.capacity() - fragment.writerIndex() >= 31, "tailroom");
            assertTrue(fragment.capacity() >= 16 + fragment.readableBytes() + 31);
            assertTrue(checksumValid(fragment));
        }
    }

    @Test
    void fragmentIsRefragmentedRelativeToTheOriginalDatagram() {
        ByteBuf packet = ipv4Packet(alloc, 4000, 11, random);
        ByteBuf original = packet.copy();
        try {
            assertEquals(3, Ipv4Fragmenter.fragment(packet, 1500, alloc, 0, 0, out::add));
            List<ByteBuf> pieces = new ArrayList<>();
            for (ByteBuf fragment : out) {
                Ipv4Fragmenter.fragment(fragment, 576, alloc, 0, 0, pieces::add);
            }
            out.clear();
            int expectedOffset = 0;
            for (int i = 0; i < pieces.size(); i++) {
                ByteBuf piece = pieces.get(i);
                assertEquals(expectedOffset, offsetBytes(piece));
                assertEquals(i < pieces.size() - 1, moreFragments(piece), "only the very last piece clears MF");
                expectedOffset += piece.readableBytes() - 20;
            }
            assertEquals(3980, expectedOffset);
            Collections.shuffle(pieces, random);
            ByteBuf whole = reassemble(reassembler(), pieces);
            assertTrue(ByteBufUtil.equals(original, whole));
            whole.release();
        } finally {
            original.release();
        }
    }

    @Test
    void packetWithOptionsIsPassedWhenItFitsAndRefusedWhenItMustBeSplit() {
        ByteBuf packet = ipv4Packet(alloc, 1600, 3, random);
        packet.setByte(0, 0x46);
        fixChecksum(packet, 0);
        assertEquals(1, Ipv4Fragmenter.fragment(packet, 1600, alloc, 0, 0, out::add));
        assertSame(packet, out.remove(0)); // handed back to us: offer it again, now too big
        assertEquals(0, Ipv4Fragmenter.fragment(packet, 1500, alloc, 0, 0, out::add));
        assertEquals(0, packet.refCnt());
        assertTrue(out.isEmpty());
    }

    @Test
    void malformedPacketsAreDroppedAndReleased() {
        ByteBuf shortPacket = alloc.directBuffer(19).writeZero(19);
        assertEquals(0, Ipv4Fragmenter.fragment(shortPacket, 1420, alloc, 0, 0, out::add));

        ByteBuf lyingLength = ipv4Packet(alloc, 1600, 1, random);
        lyingLength.setShort(2, 1700);
        assertEquals(0, Ipv4Fragmenter.fragment(lyingLength, 1420, alloc, 0, 0, out::add));

        ByteBuf ipv6 = ipv4Packet(alloc, 1600, 1, random);
        ipv6.setByte(0, 0x65);
        assertEquals(0, Ipv4Fragmenter.fragment(ipv6, 1420, alloc, 0, 0, out::add));

        ByteBuf beyondLargest = ipv4Packet(alloc, 1600, 1, 0x1FFF, random);
        assertEquals(0, Ipv4Fragmenter.fragment(beyondLargest, 1420, alloc, 0, 0, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void randomBytesNeverThrowAndAreAlwaysReleasedOrForwarded() {
        for (int round = 0; round < 5_000; round++) {
            int length = random.nextInt(1600);
            ByteBuf junk = alloc.directBuffer(Math.max(1, length));
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            if (length > 0 && random.nextBoolean()) {
                bytes[0] = 0x45;
            }
            junk.writeBytes(bytes);
            int mtu = random.nextInt(1600);
            Ipv4Fragmenter.fragment(junk, mtu, alloc, random.nextInt(32), random.nextInt(32), out::add);
            out.forEach(ByteBuf::release);
            out.clear();
            alloc.assertAllReleased();
        }
    }
}

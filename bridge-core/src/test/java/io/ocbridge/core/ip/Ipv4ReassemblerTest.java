package io.ocbridge.core.ip;

import static io.ocbridge.core.ip.Ipv4FragmenterTest.fixChecksum;
import static io.ocbridge.core.ip.Ipv4FragmenterTest.ipv4Packet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.ocbridge.core.ip.Ipv4FragmenterTest.TrackingAllocator;
import io.ocbridge.core.ip.Ipv4Reassembler.Discard;
import io.ocbridge.core.testing.Ipv4Packets;
import io.ocbridge.core.testing.ManualClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Ipv4ReassemblerTest {

    private static final long TIMEOUT_NANOS = 30_000_000_000L;

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final Random random = new Random(5722);
    private final List<ByteBuf> held = new ArrayList<>();
    private Ipv4Reassembler reassembler = new Ipv4Reassembler(alloc, 4 << 20, 256, TIMEOUT_NANOS, clock::get);

    @AfterEach
    void releaseAndCheck() {
        reassembler.clear();
        assertEquals(0, reassembler.pendingDatagrams());
        assertEquals(0, reassembler.pendingBytes());
        held.forEach(ByteBuf::release);
        alloc.assertAllReleased();
    }

    /** A copy the test keeps to compare against; released after the test. */
    private ByteBuf keep(ByteBuf buf) {
        ByteBuf copy = buf.copy();
        held.add(copy);
        return copy;
    }

    private List<ByteBuf> fragments(ByteBuf packet, int mtuBytes) {
        List<ByteBuf> out = new ArrayList<>();
        assertTrue(Ipv4Fragmenter.fragment(packet, mtuBytes, alloc, 0, 0, out::add) > 1);
        return out;
    }

    /** A fragment built by hand: header fields, then {@code payload} at {@code offsetBytes}. */
    private ByteBuf fragment(int id, int offsetBytes, boolean more, byte[] payload) {
        return fragment(0x0A00_0001, id, offsetBytes, more, payload);
    }

    /** As above, from source address {@code src}. */
    private ByteBuf fragment(int src, int id, int offsetBytes, boolean more, byte[] payload) {
        byte[] packet = Ipv4Packets.packet(Ipv4Packets.UDP, src, 0x0A00_0002, id, (more ? 0x2000 : 0) | offsetBytes / 8, payload);
        return alloc.directBuffer(packet.length).writeBytes(packet);
    }

    private ByteBuf wrap(byte[] data) {
        ByteBuf buf = alloc.heapBuffer(data.length).writeBytes(data);
        held.add(buf);
        return buf;
    }

    private static byte[] bytes(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Offers all (consumed); returns the completed datagrams in completion order. */
    private List<ByteBuf> offerAll(List<ByteBuf> fragments) {
        List<ByteBuf> done = new ArrayList<>();
        for (ByteBuf fragment : fragments) {
            ByteBuf datagram = reassembler.offer(fragment);
            if (datagram != null) {
                done.add(datagram);
                held.add(datagram);
            }
        }
        return done;
    }

    private void assertReassemblesTo(ByteBuf original, List<ByteBuf> fragments) {
        List<ByteBuf> done = offerAll(fragments);
        assertEquals(1, done.size());
        assertTrue(ByteBufUtil.equals(original, done.get(0)));
        assertEquals(1, reassembler.reassembled());
        assertEquals(0, reassembler.discarded());
        assertEquals(0, reassembler.pendingDatagrams());
        assertEquals(0, reassembler.pendingBytes());
    }

    @Test
    void nonFragmentIsReturnedAsIs() {
        ByteBuf packet = ipv4Packet(alloc, 1000, 1, random);
        assertSame(packet, reassembler.offer(packet));
        assertEquals(1, packet.refCnt());
        packet.release();
        assertEquals(0, reassembler.reassembled());
    }

    @Test
    void inOrder() {
        ByteBuf packet = ipv4Packet(alloc, 5000, 1, random);
        ByteBuf original = keep(packet);
        assertReassemblesTo(original, fragments(packet, 1420));
    }

    @Test
    void reverseOrder() {
        ByteBuf packet = ipv4Packet(alloc, 5000, 1, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> fragments = fragments(packet, 1420);
        Collections.reverse(fragments);
        assertReassemblesTo(original, fragments);
    }

    @Test
    void shuffledWithDuplicates() {
        ByteBuf packet = ipv4Packet(alloc, 9000, 1, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> fragments = fragments(packet, 576);
        List<ByteBuf> withDuplicates = new ArrayList<>(fragments);
        for (ByteBuf fragment : fragments) {
            withDuplicates.add(fragment.copy());
        }
        Collections.shuffle(withDuplicates, random);
        // Whichever copy completes the datagram, the rest start nothing that lingers: offer only up to completion.
        List<ByteBuf> done = new ArrayList<>();
        int i = 0;
        while (done.isEmpty()) {
            ByteBuf datagram = reassembler.offer(withDuplicates.get(i++));
            if (datagram != null) {
                done.add(datagram);
                held.add(datagram);
            }
        }
        withDuplicates.subList(i, withDuplicates.size()).forEach(ByteBuf::release);
        assertTrue(ByteBufUtil.equals(original, done.get(0)));
        assertEquals(0, reassembler.discarded());
        assertEquals(0, reassembler.pendingDatagrams());
    }

    @Test
    void resultStartsAtTheConfiguredHeadroom() {
        reassembler = new Ipv4Reassembler(alloc, 4 << 20, 16, TIMEOUT_NANOS, clock::get, 48);
        ByteBuf packet = ipv4Packet(alloc, 3000, 1, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> done = offerAll(fragments(packet, 1000));
        assertEquals(48, done.get(0).readerIndex());
        assertTrue(ByteBufUtil.equals(original, done.get(0)));
    }

    @Test
    void identicalOverlapIsAcceptedDifferentOverlapDiscardsTheDatagram() {
        byte[] data = new byte[30];
        random.nextBytes(data);
        assertNull(reassembler.offer(fragment(1, 0, true, Arrays.copyOfRange(data, 0, 16))));
        assertNull(reassembler.offer(fragment(1, 8, true, Arrays.copyOfRange(data, 8, 24))));
        ByteBuf done = reassembler.offer(fragment(1, 16, false, Arrays.copyOfRange(data, 16, 30)));
        assertNotNull(done);
        held.add(done);
        assertEquals(50, done.readableBytes());
        assertTrue(ByteBufUtil.equals(wrap(data), 0, done, 20, 30));

        assertNull(reassembler.offer(fragment(2, 0, true, bytes(16, 1))));
        assertNull(reassembler.offer(fragment(2, 8, true, bytes(16, 2))));
        assertEquals(1, reassembler.discarded(Discard.OVERLAP));
        assertEquals(0, reassembler.pendingDatagrams());
        assertEquals(0, reassembler.pendingBytes());
    }

    @Test
    void lastFragmentsThatDisagreeOrDataBeyondTheEndAreMalformed() {
        assertNull(reassembler.offer(fragment(1, 16, false, bytes(8, 1))));
        assertNull(reassembler.offer(fragment(1, 24, false, bytes(8, 1))));
        assertEquals(1, reassembler.discarded(Discard.MALFORMED), "two different ends");

        assertNull(reassembler.offer(fragment(2, 16, false, bytes(8, 1))));
        assertNull(reassembler.offer(fragment(2, 24, true, bytes(8, 1))));
        assertEquals(2, reassembler.discarded(Discard.MALFORMED), "data beyond the end");

        assertNull(reassembler.offer(fragment(3, 16, true, bytes(16, 1))));
        assertNull(reassembler.offer(fragment(3, 8, false, bytes(8, 1))));
        assertEquals(3, reassembler.discarded(Discard.MALFORMED), "end before data already received");
        assertEquals(0, reassembler.pendingDatagrams());
    }

    @Test
    void datagramsTimeOutAfterTheirFirstFragment() {
        assertNull(reassembler.offer(fragment(1, 0, true, bytes(8, 1))));
        clock.advanceNanos(TIMEOUT_NANOS - 1);
        reassembler.expire();
        assertEquals(1, reassembler.pendingDatagrams());
        assertTrue(reassembler.pendingBytes() > 0);
        clock.advanceNanos(1);
        reassembler.expire();
        assertEquals(1, reassembler.timedOut());
        assertEquals(0, reassembler.pendingDatagrams());
        assertEquals(0, reassembler.pendingBytes());
    }

    @Test
    void lateFragmentOfAnExpiredDatagramStartsAfreshEvenWithoutATick() {
        assertNull(reassembler.offer(fragment(1, 0, true, bytes(8, 1))));
        clock.advanceNanos(TIMEOUT_NANOS);
        assertNull(reassembler.offer(fragment(1, 8, false, bytes(8, 1))));
        assertEquals(1, reassembler.timedOut());
        assertEquals(1, reassembler.pendingDatagrams());
        assertEquals(0, reassembler.reassembled());
    }

    @Test
    void datagramBoundEvictsTheOldest() {
        reassembler = new Ipv4Reassembler(alloc, 4 << 20, 4, TIMEOUT_NANOS, clock::get);
        for (int id = 0; id < 6; id++) {
            assertNull(reassembler.offer(fragment(id, 0, true, bytes(8, id))));
        }
        assertEquals(4, reassembler.pendingDatagrams());
        assertEquals(2, reassembler.discarded(Discard.TOO_MANY_DATAGRAMS));
        ByteBuf done = reassembler.offer(fragment(3, 8, false, bytes(4, 3)));
        assertNotNull(done);
        held.add(done);
        assertEquals(3, reassembler.pendingDatagrams());
        assertNull(reassembler.offer(fragment(0, 8, false, bytes(4, 0))), "its first half was evicted");
        assertEquals(4, reassembler.pendingDatagrams());
    }

    @Test
    void aSourceFloodingDatagramsEvictsItsOwnNotAnotherSources() {
        reassembler = new Ipv4Reassembler(alloc, 4 << 20, 16, TIMEOUT_NANOS, clock::get);
        int victim = 0x0A00_0003;
        int flooder = 0x0A00_0004;
        assertNull(reassembler.offer(fragment(victim, 7, 0, true, bytes(8, 7))));
        for (int id = 0; id < 200; id++) {
            assertNull(reassembler.offer(fragment(flooder, id, 0, true, bytes(8, 1))));
        }
        assertEquals(16, reassembler.pendingDatagrams());
        ByteBuf done = reassembler.offer(fragment(victim, 7, 8, false, bytes(4, 7)));
        assertNotNull(done, "the flood evicted the flooder's datagrams, not the victim's");
        held.add(done);
        assertEquals(200 - 15, reassembler.discarded(Discard.TOO_MANY_DATAGRAMS));
        assertEquals(200 - 15, reassembler.evictedOverShare());
    }

    @Test
    void aSourceFloodingStrayFragmentsEvictsItsOwnBytesNotAnotherSources() {
        int maxBytes = 1 << 20;
        reassembler = new Ipv4Reassembler(alloc, maxBytes, 256, TIMEOUT_NANOS, clock::get);
        int victim = 0x0A00_0003;
        int flooder = 0x0A00_0004;
        assertNull(reassembler.offer(fragment(victim, 7, 0, true, bytes(1400, 7))));
        for (int id = 0; id < 200; id++) {
            assertNull(reassembler.offer(fragment(flooder, id, 65_000, true, bytes(8, 1))));  // ~64 KiB each
            assertTrue(reassembler.pendingBytes() <= maxBytes);
        }
        assertTrue(reassembler.discarded(Discard.NO_MEMORY) > 0);
        ByteBuf done = reassembler.offer(fragment(victim, 7, 1400, false, bytes(100, 7)));
        assertNotNull(done, "the victim's half datagram survived the flood");
        held.add(done);
        assertEquals(20 + 1500, done.readableBytes());
    }

    @Test
    void indexAgreesWithANaiveModelUnderChurn() {
        int maxDatagrams = 8;
        reassembler = new Ipv4Reassembler(alloc, 4 << 20, maxDatagrams, TIMEOUT_NANOS, clock::get);
        Map<Integer, Integer> model = new java.util.LinkedHashMap<>(); // id -> half received, oldest first
        for (int op = 0; op < 20_000; op++) {
            int id = random.nextInt(40);
            int half = random.nextInt(2);
            ByteBuf piece = half == 0 ? fragment(id, 0, true, bytes(8, id)) : fragment(id, 8, false, bytes(5, id));
            ByteBuf done = reassembler.offer(piece);
            Integer had = model.get(id);
            if (had != null && had != half) {
                model.remove(id);
                assertNotNull(done, "op " + op);
                assertEquals(33, done.readableBytes());
                done.release();
            } else {
                assertNull(done, "op " + op);
                if (had == null) {
                    if (model.size() == maxDatagrams) {
                        model.remove(model.keySet().iterator().next());
                    }
                    model.put(id, half);
                }
            }
            assertEquals(model.size(), reassembler.pendingDatagrams(), "op " + op);
        }
        assertEquals(0, reassembler.discarded() - reassembler.discarded(Discard.TOO_MANY_DATAGRAMS));
    }

    @Test
    void strayFragmentsAtHighOffsetsCannotBlockReassembly() {
        int maxBytes = 1 << 20;
        reassembler = new Ipv4Reassembler(alloc, maxBytes, 256, TIMEOUT_NANOS, clock::get);
        for (int id = 0; id < 200; id++) {
            assertNull(reassembler.offer(fragment(id, 65_000, true, bytes(8, 1))));
            assertTrue(reassembler.pendingBytes() <= maxBytes);
        }
        assertTrue(reassembler.discarded(Discard.NO_MEMORY) > 0);
        ByteBuf packet = ipv4Packet(alloc, 1550, 1000, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> done = offerAll(fragments(packet, 1420));
        assertEquals(1, done.size());
        assertTrue(ByteBufUtil.equals(original, done.get(0)));
        assertTrue(reassembler.pendingBytes() <= maxBytes);
    }

    @Test
    void byteBoundIsNeverExceeded() {
        int maxBytes = 20_000;
        reassembler = new Ipv4Reassembler(alloc, maxBytes, 256, TIMEOUT_NANOS, clock::get);
        for (int id = 0; id < 40; id++) {
            ByteBuf packet = ipv4Packet(alloc, 1550, id, random);
            List<ByteBuf> fragments = fragments(packet, 1420);
            assertNull(reassembler.offer(fragments.get(0)));
            fragments.get(1).release();
            assertTrue(reassembler.pendingBytes() <= maxBytes, "pending " + reassembler.pendingBytes());
        }
        assertTrue(reassembler.discarded(Discard.NO_MEMORY) > 0);
        assertEquals(40, reassembler.pendingDatagrams() + reassembler.discarded(Discard.NO_MEMORY));
        reassembler.clear();
        assertEquals(0, reassembler.pendingBytes());
        alloc.assertAllReleased();

        // With memory back, a datagram gets through again.
        ByteBuf packet = ipv4Packet(alloc, 1550, 99, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> done = offerAll(fragments(packet, 1420));
        assertTrue(ByteBufUtil.equals(original, done.get(0)));
    }

    @Test
    void oneHugeDatagramCannotTakeMoreThanTheBound() {
        reassembler = new Ipv4Reassembler(alloc, 10_000, 256, TIMEOUT_NANOS, clock::get);
        ByteBuf packet = ipv4Packet(alloc, 60_000, 1, random);
        List<ByteBuf> done = offerAll(fragments(packet, 1500));
        assertTrue(done.isEmpty());
        assertTrue(reassembler.discarded(Discard.NO_MEMORY) >= 1);
        assertTrue(reassembler.pendingBytes() <= 10_000);
    }

    @Test
    void largestDatagramReassemblesAndOneByteMoreIsTooBig() {
        ByteBuf packet = ipv4Packet(alloc, 65_535, 1, random);
        ByteBuf original = keep(packet);
        List<ByteBuf> fragments = fragments(packet, 9000);
        Collections.shuffle(fragments, random);
        assertReassemblesTo(original, fragments);

        // Last fragment at the largest offset carrying 8 bytes: 20 + 65528 + 8 > 65535.
        assertNull(reassembler.offer(fragment(2, 65_528, false, bytes(8, 1))));
        assertEquals(1, reassembler.discarded(Discard.TOO_BIG));
    }

    @Test
    void firstFragmentOptionsMakeTheReassembledHeader() {
        byte[] payload = new byte[40];
        random.nextBytes(payload);
        ByteBuf first = alloc.directBuffer(24 + 16);
        first.writeByte(0x46).writeByte(0).writeShort(24 + 16).writeShort(5).writeShort(0x2000);
        first.writeByte(64).writeByte(17).writeShort(0).writeInt(0x0A00_0001).writeInt(0x0A00_0002);
        first.writeInt(0x9404_0000); // router alert, copied flag set
        first.writeBytes(payload, 0, 16);
        fixChecksum(first, 0);
        byte[] rest = Arrays.copyOfRange(payload, 16, 40);
        assertNull(reassembler.offer(fragment(5, 16, false, rest)));
        ByteBuf done = reassembler.offer(first);
        assertNotNull(done);
        held.add(done);
        assertEquals(64, done.readableBytes());
        assertEquals(0x46, done.getUnsignedByte(0));
        assertEquals(64, done.getUnsignedShort(2));
        assertEquals(0, done.getUnsignedShort(6));
        assertEquals(0x9404_0000, done.getInt(20));
        assertTrue(Ipv4FragmenterTest.checksumValid(done));
        assertTrue(ByteBufUtil.equals(wrap(payload), 0, done, 24, 40));
    }

    @Test
    void malformedFragmentsNeverThrowAndAreCounted() {
        List<ByteBuf> bad = new ArrayList<>();
        ByteBuf ihlTooSmall = fragment(1, 0, true, bytes(8, 1));
        ihlTooSmall.setByte(0, 0x44);
        bad.add(ihlTooSmall);
        ByteBuf lengthLies = fragment(1, 0, true, bytes(8, 1));
        lengthLies.setShort(2, 200);
        fixChecksum(lengthLies, 0);
        bad.add(lengthLies);
        ByteBuf lengthBelowHeader = fragment(1, 0, true, bytes(8, 1));
        lengthBelowHeader.setShort(2, 12);
        fixChecksum(lengthBelowHeader, 0);
        bad.add(lengthBelowHeader);
        ByteBuf badChecksum = fragment(1, 0, true, bytes(8, 1));
        badChecksum.setShort(10, badChecksum.getShort(10) + 1);
        bad.add(badChecksum);
        bad.add(fragment(1, 8, true, bytes(0, 0))); // empty
        bad.add(fragment(1, 0, true, bytes(12, 1))); // not a multiple of 8
        bad.add(fragment(1, 65_512, true, bytes(16, 1))); // offset + length > 65535
        bad.add(alloc.directBuffer(4).writeInt(0x4500_0014));
        for (ByteBuf fragment : bad) {
            assertNull(reassembler.offer(fragment));
        }
        assertEquals(bad.size(), reassembler.discarded());
        assertEquals(0, reassembler.pendingDatagrams());
    }

    @Test
    void truncatedFragmentsAtEveryLengthNeverThrow() {
        ByteBuf packet = ipv4Packet(alloc, 1550, 1, random);
        List<ByteBuf> fragments = fragments(packet, 1420);
        for (ByteBuf fragment : fragments) {
            for (int length = 0; length <= fragment.readableBytes(); length++) {
                ByteBuf copy = alloc.directBuffer(Math.max(1, length)).writeBytes(fragment, 0, length);
                ByteBuf result = reassembler.offer(copy);
                if (result != null) {
                    result.release();
                }
            }
            fragment.release();
        }
        assertTrue(reassembler.discarded() > 0);
    }

    @Test
    void randomBytesNeverThrow() {
        for (int round = 0; round < 20_000; round++) {
            int length = random.nextInt(120);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            if (length > 0) {
                bytes[0] = (byte) (0x40 | (bytes[0] & 0x0F));
            }
            ByteBuf junk = alloc.directBuffer(Math.max(1, length)).writeBytes(bytes);
            if (length >= 20 && random.nextBoolean()) {
                junk.setByte(0, 0x45);
                junk.setShort(2, Math.min(length, junk.getUnsignedShort(2)));
                fixChecksum(junk, 0);
            }
            ByteBuf result = reassembler.offer(junk);
            if (result != null) {
                result.release();
            }
            if (round % 1000 == 0) {
                clock.advanceNanos(TIMEOUT_NANOS);
                reassembler.expire();
            }
        }
    }

    @Test
    void randomDatagramsAtRandomMtusInterleavedAllReassembleExactly() {
        reassembler = new Ipv4Reassembler(alloc, 64 << 20, 512, TIMEOUT_NANOS, clock::get);
        for (int round = 0; round < 5; round++) {
            Map<Integer, ByteBuf> originals = new HashMap<>();
            List<ByteBuf> all = new ArrayList<>();
            for (int n = 0; n < 300; n++) {
                int id = round * 1000 + n;
                int totalLength = random.nextInt(10) == 0 ? 20_000 + random.nextInt(45_536) : 69 + random.nextInt(9000);
                int mtu = 68 + random.nextInt(Math.min(totalLength - 68, 1500));
                ByteBuf packet = ipv4Packet(alloc, totalLength, id, random);
                originals.put(id, keep(packet));
                List<ByteBuf> pieces = new ArrayList<>();
                Ipv4Fragmenter.fragment(packet, mtu, alloc, 0, 0, pieces::add);
                all.addAll(pieces);
                if (random.nextInt(4) == 0) {
                    all.add(pieces.get(random.nextInt(pieces.size())).copy()); // a duplicate
                }
            }
            Collections.shuffle(all, random);
            Map<Integer, ByteBuf> done = new HashMap<>();
            for (ByteBuf fragment : all) {
                int id = fragment.getUnsignedShort(fragment.readerIndex() + 4);
                if (done.containsKey(id)) {
                    fragment.release(); // a duplicate arriving after completion would open a datagram that times out
                    continue;
                }
                ByteBuf datagram = reassembler.offer(fragment);
                if (datagram != null) {
                    held.add(datagram);
                    done.put(id, datagram);
                }
            }
            assertEquals(originals.size(), done.size());
            for (Map.Entry<Integer, ByteBuf> entry : originals.entrySet()) {
                assertTrue(ByteBufUtil.equals(entry.getValue(), done.get(entry.getKey())), "datagram " + entry.getKey());
            }
            assertEquals(0, reassembler.discarded());
            assertEquals(0, reassembler.pendingDatagrams());
            assertEquals(0, reassembler.pendingBytes());
        }
    }
}

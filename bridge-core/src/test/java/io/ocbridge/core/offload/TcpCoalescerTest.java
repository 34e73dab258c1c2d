package io.ocbridge.core.offload;

import static io.ocbridge.core.offload.Packets.TCP_ACK;
import static io.ocbridge.core.offload.Packets.TCP_PSH;
import static io.ocbridge.core.offload.Packets.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.testing.NoLeaks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class TcpCoalescerTest {
    private static final int HEADROOM = 16;
    private final List<byte[]> written = new ArrayList<>();
    private final List<ByteBuf> writtenBuffers = new ArrayList<>();
    private final TcpCoalescer coalescer = new TcpCoalescer(PooledByteBufAllocator.DEFAULT, b -> {
        written.add(ByteBufUtil.getBytes(b));
        writtenBuffers.add(b);
        b.release();
    });
    private final TsoSplitter splitter = new TsoSplitter(PooledByteBufAllocator.DEFAULT, HEADROOM, 0);

    @AfterEach
    void nothingHeld() {
        assertEquals(0, coalescer.openFlows());
    }

    /** The segments a TUN read of {@code read} splits into, as buffers ready to offer (HEADROOM before each). */
    private List<ByteBuf> segmentsOf(byte[] read) {
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf src = PooledByteBufAllocator.DEFAULT.heapBuffer(read.length).writeBytes(read);
        try {
            assertTrue(splitter.split(src, out::add) > 0);
        } finally {
            src.release();
        }
        return out;
    }

    private static ByteBuf packet(byte[] ip) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(HEADROOM + ip.length);
        b.setIndex(HEADROOM, HEADROOM);
        return b.writeBytes(ip);
    }

    private static Packets.Spec spec(boolean ipv6, int payloadBytes, int flags) {
        return Packets.spec(ipv6, payloadBytes, flags, 11);
    }

    private static byte[] plain(byte[] ip) {
        return Packets.concat(new byte[VirtioNetHeader.SIZE], ip);
    }

    @Test
    void splitThenCoalesceGivesBackTheKernelsSuperPacket() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            written.clear();
            Packets.Spec s = spec(ipv6, 45 * 1380 - 17, TCP_ACK | TCP_PSH);
            byte[] read = Packets.tsoRead(s, 1380);
            List<ByteBuf> segments = segmentsOf(read);
            assertEquals(45, segments.size());
            segments.forEach(coalescer::offer);
            assertEquals(0, written.size(), "held until flush");
            coalescer.flush();
            assertEquals(1, written.size());
            // Same virtio header (NEEDS_CSUM, TCPV4/6, hdr_len, gso_size, csum_start, csum_offset 16), same IP
            // header (total length, first id, header checksum), same TCP header with the pseudo-header sum, same payload.
            assertArrayEquals(read, written.get(0), "ipv6=" + ipv6);
        }
    }

    /**
     * The TAP flavour: a super-frame read (Ethernet header, VLAN tags, csum_start counting from the frame) split
     * and merged again is the same read byte for byte; frames of one flow between different MACs are not merged.
     */
    @Test
    void framesSplitThenCoalesceGiveBackTheSuperFrame() {
        TsoSplitter frames = TsoSplitter.forFrames(PooledByteBufAllocator.DEFAULT, HEADROOM, 0);
        TcpCoalescer tap = TcpCoalescer.forFrames(PooledByteBufAllocator.DEFAULT, b -> {
            written.add(ByteBufUtil.getBytes(b));
            b.release();
        });
        byte[] macs = Packets.bytes(0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa);
        for (boolean ipv6 : new boolean[] {false, true}) {
            byte[] type = ipv6 ? Packets.bytes(0x86, 0xdd) : Packets.bytes(0x08, 0x00);
            for (byte[] link : new byte[][] {Packets.concat(macs, type),
                    Packets.concat(macs, Packets.bytes(0x81, 0x00, 0x00, 0x64), type)}) {
                written.clear();
                byte[] read = Packets.tsoRead(spec(ipv6, 30 * 1380 - 5, TCP_ACK | TCP_PSH), 1380);
                byte[] frameRead = Packets.concat(Packets.range(read, 0, VirtioNetHeader.SIZE), link,
                        Packets.range(read, VirtioNetHeader.SIZE, read.length));
                Packets.putLe16(frameRead, VirtioNetHeader.HDR_LEN_OFFSET,
                        Packets.get16le(read, VirtioNetHeader.HDR_LEN_OFFSET) + link.length);
                Packets.putLe16(frameRead, VirtioNetHeader.CSUM_START_OFFSET,
                        Packets.get16le(read, VirtioNetHeader.CSUM_START_OFFSET) + link.length);
                List<ByteBuf> segments = new ArrayList<>();
                ByteBuf src = PooledByteBufAllocator.DEFAULT.heapBuffer(frameRead.length).writeBytes(frameRead);
                assertEquals(30, frames.split(src, segments::add));
                src.release();
                segments.forEach(tap::offer);
                tap.flush();
                assertEquals(1, written.size(), "one super-frame, link header of " + link.length + " bytes");
                assertArrayEquals(frameRead, written.get(0));
            }
        }
        written.clear();
        byte[] read = Packets.tsoRead(spec(false, 2 * 1000, TCP_ACK), 1000);
        for (int i = 0; i < 2; i++) {  // the same TCP flow, but the second frame from another source MAC
            byte[] link = Packets.concat(Packets.bytes(0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa + i), Packets.bytes(0x08, 0x00));
            byte[] frameRead = Packets.concat(Packets.range(read, 0, VirtioNetHeader.SIZE), link,
                    Packets.range(read, VirtioNetHeader.SIZE, read.length));
            Packets.putLe16(frameRead, VirtioNetHeader.CSUM_START_OFFSET,
                    Packets.get16le(read, VirtioNetHeader.CSUM_START_OFFSET) + link.length);
            List<ByteBuf> segments = new ArrayList<>();
            ByteBuf src = PooledByteBufAllocator.DEFAULT.heapBuffer(frameRead.length).writeBytes(frameRead);
            frames.split(src, segments::add);
            src.release();
            tap.offer(segments.get(i));
            segments.get(1 - i).release();
        }
        tap.flush();
        assertEquals(2, written.size(), "different link headers are different flows");
        assertEquals(0, tap.openFlows());
    }

    @Test
    void coalescedSuperPacketSplitsIntoValidSegmentsAgain() {
        Packets.Spec s = spec(false, 20 * 1000, TCP_ACK);
        segmentsOf(Packets.tsoRead(s, 1000)).forEach(coalescer::offer);
        coalescer.flush();
        assertEquals(1, written.size());
        List<ByteBuf> again = segmentsOf(written.get(0));
        assertEquals(20, again.size());
        for (ByteBuf b : again) {
            assertTrue(Packets.checksumsValid(ByteBufUtil.getBytes(b)));
            b.release();
        }
    }

    @Test
    void singleSegmentIsWrittenInPlaceWithZeroHeader() {
        byte[] ip = Packets.tcp(spec(false, 100, TCP_ACK));
        ByteBuf p = packet(ip);
        coalescer.offer(p);
        coalescer.flush();
        assertEquals(1, written.size());
        assertSame(p, writtenBuffers.get(0), "no copy");
        assertArrayEquals(plain(ip), written.get(0));
    }

    @Test
    void interleavedFlowsKeepTheirOrder() {
        Packets.Spec a = spec(false, 8 * 1000, TCP_ACK);
        Packets.Spec b = spec(false, 5 * 1000 + 1, TCP_ACK | TCP_PSH);
        b.srcPort = 40_001;
        Packets.Spec c = spec(true, 6 * 1000, TCP_ACK);
        byte[] readA = Packets.tsoRead(a, 1000);
        byte[] readB = Packets.tsoRead(b, 1000);
        byte[] readC = Packets.tsoRead(c, 1000);
        List<ByteBuf> sa = segmentsOf(readA);
        List<ByteBuf> sb = segmentsOf(readB);
        List<ByteBuf> sc = segmentsOf(readC);
        for (int i = 0; i < 8; i++) {
            coalescer.offer(sa.get(i));
            if (i < sb.size()) {
                coalescer.offer(sb.get(i));
            }
            if (i < sc.size()) {
                coalescer.offer(sc.get(i));
            }
        }
        coalescer.flush();
        assertEquals(3, written.size());
        assertArrayEquals(readA, written.get(0));
        assertArrayEquals(readB, written.get(1));
        assertArrayEquals(readC, written.get(2));
    }

    @Test
    void nonTcpGoesStraightThrough() {
        Packets.Spec s = spec(false, 3000, TCP_ACK);
        List<ByteBuf> segments = segmentsOf(Packets.tsoRead(s, 1000));
        coalescer.offer(segments.get(0));
        coalescer.offer(segments.get(1));
        byte[] udp = Packets.tcp(spec(false, 50, TCP_ACK));
        udp[9] = 17;  // now "UDP" (checksums irrelevant: not inspected)
        ByteBuf u = packet(udp);
        coalescer.offer(u);
        assertEquals(1, written.size(), "written at once");
        assertSame(u, writtenBuffers.get(0));
        assertArrayEquals(plain(udp), written.get(0));
        coalescer.offer(segments.get(2));
        coalescer.flush();
        assertEquals(2, written.size());
        assertArrayEquals(Packets.tsoRead(s, 1000), written.get(1));
    }

    @Test
    void badChecksumIsWrittenAloneInOrder() {
        Packets.Spec s = spec(true, 8 * 500, TCP_ACK);
        List<ByteBuf> segments = segmentsOf(Packets.tsoRead(s, 500));
        ByteBuf bad = segments.get(3);
        bad.setByte(bad.writerIndex() - 1, bad.getByte(bad.writerIndex() - 1) ^ 1);
        byte[] badBytes = ByteBufUtil.getBytes(bad);
        segments.forEach(coalescer::offer);
        coalescer.flush();
        assertEquals(3, written.size());
        assertEquals(VirtioNetHeader.GSO_TCPV6, written.get(0)[1]);
        assertEquals(3 * 500 + 72 + 10, written.get(0).length, "segments 0..2");
        assertArrayEquals(plain(badBytes), written.get(1), "the bad one alone, unchanged");
        assertEquals(4 * 500 + 72 + 10, written.get(2).length, "segments 4..7");
        assertEquals(s.seq + 4 * 500, Packets.get32(written.get(2), 10 + 40 + 4));
    }

    @Test
    void badChecksumOnTheHeldFirstSegmentIsFoundWhenTheSecondArrives() {
        Packets.Spec s = spec(false, 3 * 500, TCP_ACK);
        List<ByteBuf> segments = segmentsOf(Packets.tsoRead(s, 500));
        ByteBuf first = segments.get(0);
        first.setByte(first.writerIndex() - 1, first.getByte(first.writerIndex() - 1) ^ 0x40);
        byte[] firstBytes = ByteBufUtil.getBytes(first);
        segments.forEach(coalescer::offer);
        coalescer.flush();
        assertEquals(2, written.size());
        assertArrayEquals(plain(firstBytes), written.get(0));
        assertEquals(2 * 500 + 52 + 10, written.get(1).length);
    }

    @Test
    void sixtyFiveSegmentsMakeTwoWrites() {
        Packets.Spec s = spec(false, 65 * 1000, TCP_ACK);
        List<ByteBuf> segments = segmentsOf(Packets.tsoRead(s, 1000));
        assertEquals(65, segments.size());
        segments.forEach(coalescer::offer);
        coalescer.flush();
        assertEquals(2, written.size());
        assertEquals(VirtioNetHeader.GSO_TCPV4, written.get(0)[1]);
        assertEquals(10 + 52 + 64 * 1000, written.get(0).length);
        assertEquals(10 + 52 + 1000, written.get(1).length);
        assertEquals(0, written.get(1)[1], "the 65th alone");
    }

    @Test
    void superPacketStaysWithin65535IpBytes() {
        Packets.Spec s = spec(false, 0, TCP_ACK);
        s.tcpOptions = new byte[0];
        for (int i = 0; i < 45; i++) {
            s.payload = Packets.pattern(1460, i);
            coalescer.offer(packet(Packets.tcp(s)));
            s.seq += 1460;
        }
        coalescer.flush();
        assertEquals(2, written.size());
        assertEquals(40 + 44 * 1460, Packets.get16(written.get(0), 10 + 2));
        assertTrue(written.get(0).length - 10 <= 65_535);
    }

    @Test
    void openFlowsAreBounded() {
        Packets.Spec s = spec(false, 500, TCP_ACK);
        for (int i = 0; i < TcpCoalescer.MAX_FLOWS + 3; i++) {
            s.srcPort = 1000 + i;
            coalescer.offer(packet(Packets.tcp(s)));
            assertTrue(coalescer.openFlows() <= TcpCoalescer.MAX_FLOWS);
        }
        assertEquals(3, written.size(), "the oldest were written out");
        assertEquals(1000, Packets.get16(written.get(0), 10 + 20));
        coalescer.flush();
        assertEquals(TcpCoalescer.MAX_FLOWS + 3, written.size());
    }

    @Test
    void otherTcpOfAnOpenFlowFlushesItFirst() {
        Packets.Spec s = spec(false, 2000, TCP_ACK);
        List<ByteBuf> segments = segmentsOf(Packets.tsoRead(s, 1000));
        segments.forEach(coalescer::offer);
        Packets.Spec pureAck = spec(false, 0, TCP_ACK);
        pureAck.seq = s.seq + 2000;
        coalescer.offer(packet(Packets.tcp(pureAck)));
        assertEquals(2, written.size());
        assertEquals(VirtioNetHeader.GSO_TCPV4, written.get(0)[1]);
        assertArrayEquals(plain(Packets.tcp(pureAck)), written.get(1));
        Packets.Spec syn = spec(false, 10, TCP_SYN);
        coalescer.offer(packet(Packets.tcp(syn)));
        assertEquals(3, written.size());
    }

    @Test
    void differentAckOrWindowOrOptionsStartsANewRun() {
        Packets.Spec s = spec(false, 700, TCP_ACK);
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 700;
        s.ack += 1;
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 700;
        s.window += 1;
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 700;
        s.tcpOptions = Packets.timestamps(1, 2);
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 700;
        s.ttl = 63;
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 700;
        coalescer.offer(packet(Packets.tcp(s)));
        coalescer.flush();
        assertEquals(5, written.size());
        assertEquals(VirtioNetHeader.GSO_TCPV4, written.get(4)[1], "the last two merge");
    }

    @Test
    void pshOrShortSegmentEndsTheRun() {
        Packets.Spec s = spec(false, 1000, TCP_ACK);
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 1000;
        s.payload = Packets.pattern(400, 1);
        coalescer.offer(packet(Packets.tcp(s)));  // short: joins, ends the run
        s.seq += 400;
        coalescer.offer(packet(Packets.tcp(s)));  // starts a new one
        s.seq += 400;
        s.flags = TCP_ACK | TCP_PSH;
        coalescer.offer(packet(Packets.tcp(s)));  // joins with PSH
        s.seq += 400;
        s.flags = TCP_ACK;
        coalescer.offer(packet(Packets.tcp(s)));
        coalescer.flush();
        assertEquals(3, written.size());
        assertEquals(10 + 52 + 1400, written.get(0).length);
        assertEquals(10 + 52 + 800, written.get(1).length);
        assertEquals(TCP_ACK | TCP_PSH, written.get(1)[10 + 20 + 13], "PSH from the last");
        assertEquals(10 + 52 + 400, written.get(2).length);
    }

    @Test
    void outOfOrderSegmentIsNotMerged() {
        Packets.Spec s = spec(true, 1000, TCP_ACK);
        coalescer.offer(packet(Packets.tcp(s)));
        s.seq += 2000;
        coalescer.offer(packet(Packets.tcp(s)));
        coalescer.flush();
        assertEquals(2, written.size());
        assertEquals(0, written.get(0)[1]);
        assertEquals(0, written.get(1)[1]);
    }

    @Test
    void packetWithoutHeadroomIsCopied() {
        byte[] ip = Packets.tcp(spec(false, 10, TCP_ACK | TCP_PSH));
        ByteBuf p = PooledByteBufAllocator.DEFAULT.directBuffer(ip.length).writeBytes(ip);
        coalescer.offer(p);
        assertEquals(1, written.size());
        assertArrayEquals(plain(ip), written.get(0));
    }

    @Test
    void clearReleasesWhatIsHeld() {
        Packets.Spec s = spec(false, 3000, TCP_ACK);
        segmentsOf(Packets.tsoRead(s, 1000)).forEach(coalescer::offer);
        s.srcPort++;
        coalescer.offer(packet(Packets.tcp(s)));
        assertEquals(2, coalescer.openFlows());
        coalescer.clear();
        assertEquals(0, written.size());
    }
}

package io.ocbridge.core.offload;

import static io.ocbridge.core.offload.Packets.TCP_ACK;
import static io.ocbridge.core.offload.Packets.TCP_CWR;
import static io.ocbridge.core.offload.Packets.TCP_FIN;
import static io.ocbridge.core.offload.Packets.TCP_PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.testing.NoLeaks;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class TsoSplitterTest {
    private static final int HEADROOM = 48;
    private static final int TAILROOM = 16;
    private final TsoSplitter splitter = new TsoSplitter(PooledByteBufAllocator.DEFAULT, HEADROOM, TAILROOM);

    /** Splits {@code read} (placed at an offset in a larger buffer) and returns the segments as arrays. */
    private List<byte[]> split(byte[] read) {
        ByteBuf src = Unpooled.buffer(read.length + 64);
        src.writerIndex(7).readerIndex(7);
        src.writeBytes(read);
        List<byte[]> out = new ArrayList<>();
        int n = splitter.split(src, b -> {
            try {
                assertEquals(HEADROOM, b.readerIndex());
                assertTrue(b.isDirect());
                assertTrue(b.capacity() >= HEADROOM + b.readableBytes() + TAILROOM);
                assertTrue(b.writableBytes() >= TAILROOM);
                out.add(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        });
        assertEquals(7, src.readerIndex(), "src indexes untouched");
        assertEquals(7 + read.length, src.writerIndex());
        assertArrayEquals(read, ByteBufUtil.getBytes(src, 7, read.length), "src not modified");
        src.release();
        assertEquals(n < 0 ? 0 : n, out.size());
        return n < 0 ? List.of(new byte[][] {{(byte) n}}) : out;
    }

    private int splitResult(byte[] read) {
        ByteBuf src = Unpooled.wrappedBuffer(read);
        int[] emitted = {0};
        int n = splitter.split(src, b -> {
            emitted[0]++;
            b.release();
        });
        if (n < 0) {
            assertEquals(0, emitted[0], "a malformed read emits nothing");
        }
        return n;
    }

    /** Verifies every segment independently against the spec it was built from. */
    private static void verifySegments(Packets.Spec s, int mss, List<byte[]> segments) {
        int ip = s.ipHeaderBytes();
        int headers = ip + s.tcpHeaderBytes();
        int expected = (s.payload.length + mss - 1) / mss;
        assertEquals(expected, segments.size());
        byte[] original = Packets.tcp(s);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            byte[] seg = segments.get(i);
            boolean last = i == segments.size() - 1;
            int dataBytes = last ? s.payload.length - i * mss : mss;
            assertEquals(headers + dataBytes, seg.length, "segment " + i + " length");
            assertTrue(Packets.checksumsValid(seg), "segment " + i + " checksums");
            if (s.ipv6) {
                assertEquals(seg.length - 40, Packets.get16(seg, 4), "payload length");
                assertArrayEquals(Packets.range(original, 6, ip), Packets.range(seg, 6, ip), "rest of IPv6 header");
            } else {
                assertEquals(seg.length, Packets.get16(seg, 2), "total length");
                assertEquals((s.id + i) & 0xffff, Packets.get16(seg, 4), "id");
                assertArrayEquals(Packets.range(original, 6, 10), Packets.range(seg, 6, 10), "flags, ttl, protocol");
                assertArrayEquals(Packets.range(original, 12, ip), Packets.range(seg, 12, ip), "addresses, options");
            }
            assertEquals((s.seq + (long) i * mss) & 0xffff_ffffL, Packets.get32(seg, ip + 4), "seq");
            int flags = seg[ip + 13] & 0xff;
            int want = s.flags;
            if (!last) {
                want &= ~(TCP_FIN | TCP_PSH);
            }
            if (i != 0) {
                want &= ~TCP_CWR;
            }
            assertEquals(want, flags, "flags of segment " + i);
            assertArrayEquals(Packets.range(original, ip, ip + 4), Packets.range(seg, ip, ip + 4), "ports");
            assertArrayEquals(Packets.range(original, ip + 8, ip + 13), Packets.range(seg, ip + 8, ip + 13), "ack, offset");
            assertArrayEquals(Packets.range(original, ip + 14, ip + 16), Packets.range(seg, ip + 14, ip + 16), "window");
            assertArrayEquals(Packets.range(original, ip + 18, headers), Packets.range(seg, ip + 18, headers), "urg, options");
            payload.writeBytes(Packets.range(seg, headers, seg.length));
        }
        assertArrayEquals(s.payload, payload.toByteArray(), "payloads concatenate to the original");
    }

    private static Packets.Spec spec(boolean ipv6, int payloadBytes, int flags) {
        return Packets.spec(ipv6, payloadBytes, flags, ipv6 ? 3 : 5);
    }

    /**
     * A TAP read is the same super-packet behind an Ethernet header (csum_start counting from the frame): every
     * segment must be that header followed by exactly what the TUN split gives, VLAN tags included.
     */
    @Test
    void framesFromATapRepeatTheirLinkHeaderInEverySegment() {
        TsoSplitter frames = TsoSplitter.forFrames(PooledByteBufAllocator.DEFAULT, HEADROOM, TAILROOM);
        byte[] macs = Packets.bytes(0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa);
        for (boolean ipv6 : new boolean[] {false, true}) {
            Packets.Spec s = spec(ipv6, 9_000, TCP_ACK | TCP_PSH);
            byte[] read = Packets.tsoRead(s, 1380);
            List<byte[]> expected = split(read);
            byte[] type = ipv6 ? Packets.bytes(0x86, 0xdd) : Packets.bytes(0x08, 0x00);
            for (byte[] link : new byte[][] {
                    Packets.concat(macs, type),
                    Packets.concat(macs, Packets.bytes(0x81, 0x00, 0x00, 0x64), type),
                    Packets.concat(macs, Packets.bytes(0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64), type)}) {
                byte[] frameRead = Packets.concat(Packets.range(read, 0, VirtioNetHeader.SIZE), link,
                        Packets.range(read, VirtioNetHeader.SIZE, read.length));
                int csumStart = (frameRead[VirtioNetHeader.CSUM_START_OFFSET] & 0xff)
                        | (frameRead[VirtioNetHeader.CSUM_START_OFFSET + 1] & 0xff) << 8;
                Packets.putLe16(frameRead, VirtioNetHeader.CSUM_START_OFFSET, csumStart + link.length);
                List<byte[]> got = new ArrayList<>();
                ByteBuf src = Unpooled.wrappedBuffer(frameRead);
                int n = frames.split(src, b -> {
                    got.add(ByteBufUtil.getBytes(b));
                    b.release();
                });
                assertEquals(expected.size(), n, "segments, link header of " + link.length + " bytes");
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(Packets.concat(link, expected.get(i)), got.get(i), "segment " + i);
                }
            }
        }
        ByteBuf arp = Unpooled.wrappedBuffer(Packets.concat(new byte[VirtioNetHeader.SIZE], macs,
                Packets.bytes(0x08, 0x06), new byte[28]));
        assertEquals(1, frames.split(arp, ByteBuf::release), "a frame with nothing to offload passes as is");
        byte[] notIp = Packets.concat(new byte[VirtioNetHeader.SIZE], macs, Packets.bytes(0x08, 0x06), new byte[60]);
        notIp[VirtioNetHeader.GSO_TYPE_OFFSET] = VirtioNetHeader.GSO_TCPV4;
        assertEquals(SplitDrop.BAD_IP_HEADER.code(), frames.split(Unpooled.wrappedBuffer(notIp), ByteBuf::release));
        // Found by OffloadFuzzTest.frameSplitMutationLoop: a TSO read that is an Ethernet header and nothing after it.
        byte[] headerOnly = java.util.HexFormat.of().parseHex("01013400f4012200100002000000000b0200000000000800");
        assertTrue(frames.split(Unpooled.wrappedBuffer(headerOnly), ByteBuf::release) < 0);
    }

    @Test
    void ipv4WithTimestampsOddSizeShortLastSegmentAndAllFlags() {
        Packets.Spec s = spec(false, 10_001, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR);
        s.id = 0xfffe;  // wraps
        s.seq = 0xffff_f000L;  // wraps
        verifySegments(s, 1448, split(Packets.tsoRead(s, 1448)));
    }

    @Test
    void ipv6WithTimestampsShortLastSegment() {
        Packets.Spec s = spec(true, 7_777, TCP_ACK | TCP_PSH | TCP_CWR);
        s.tos = 0x2a;
        verifySegments(s, 1380, split(Packets.tsoRead(s, 1380)));
    }

    @Test
    void fullLastSegmentAndLargestRead() {
        Packets.Spec s = spec(true, 47 * 1380, TCP_ACK | TCP_PSH);
        verifySegments(s, 1380, split(Packets.tsoRead(s, 1380)));
        Packets.Spec v4 = spec(false, 65_535 - 52, TCP_ACK | TCP_FIN);
        verifySegments(v4, 1380, split(Packets.tsoRead(v4, 1380)));
    }

    @Test
    void ipv4OptionsAndNoTcpOptions() {
        Packets.Spec s = spec(false, 3001, TCP_ACK);
        s.ipv4Options = Packets.bytes(0x94, 4, 0, 0);  // router alert
        s.tcpOptions = new byte[0];
        s.dontFragment = false;
        verifySegments(s, 1000, split(Packets.tsoRead(s, 1000)));
    }

    @Test
    void ecnBitAndTinyMss() {
        Packets.Spec s = spec(false, 101, TCP_ACK | TCP_CWR | TCP_PSH);
        byte[] read = Packets.tsoRead(s, 7);
        read[1] |= (byte) VirtioNetHeader.GSO_ECN;
        verifySegments(s, 7, split(read));
    }

    @Test
    void ipv6HopByHopBeforeTcpIsWalked() {
        Packets.Spec s = spec(true, 4000, TCP_ACK);
        s.ipv6HopByHop = new byte[16];
        s.ipv6HopByHop[2] = 1;  // PadN over the rest
        s.ipv6HopByHop[3] = 12;
        s.ipv6ExtensionType = 0;
        verifySegments(s, 1220, split(Packets.tsoRead(s, 1220)));
    }

    @Test
    void ipv6RoutingHeaderIsRefused() {
        Packets.Spec s = spec(true, 4000, TCP_ACK);
        s.ipv6HopByHop = new byte[24];
        s.ipv6ExtensionType = 43;
        assertEquals(SplitDrop.BAD_IP_HEADER, SplitDrop.of(splitResult(Packets.tsoRead(s, 1220))));
    }

    @Test
    void hdrLenIsNotTrusted() {
        Packets.Spec s = spec(false, 5000, TCP_ACK);
        byte[] read = Packets.tsoRead(s, 1448);
        Packets.putLe16(read, 2, 1500);  // the forward path can report the whole first segment
        verifySegments(s, 1448, split(read));
    }

    @Test
    void noneWithNeedsCsumCompletesTcpChecksum() {
        Packets.Spec s = spec(false, 333, TCP_ACK | TCP_PSH);
        byte[] read = Packets.tsoRead(s, 0);
        read[1] = 0;
        List<byte[]> out = split(read);
        assertEquals(1, out.size());
        assertArrayEquals(Packets.tcp(s), out.get(0));
        Packets.Spec v6 = spec(true, 1, TCP_ACK);
        byte[] read6 = Packets.tsoRead(v6, 0);
        read6[1] = 0;
        assertArrayEquals(Packets.tcp(v6), split(read6).get(0));
    }

    @Test
    void noneWithoutFlagsIsCopiedAsIs() {
        byte[] read = Packets.concat(new byte[10], Packets.pattern(77, 1));
        assertArrayEquals(Packets.range(read, 10, read.length), split(read).get(0));
    }

    @Test
    void noneWithNeedsCsumUdpZeroBecomesAllOnes() {
        // IPv4/UDP whose correct checksum computes to 0: the last payload word is chosen to make the sum 0xffff.
        byte[] p = new byte[20 + 8 + 10];
        p[0] = 0x45;
        Packets.put16(p, 2, p.length);
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(Packets.bytes(10, 0, 0, 1, 10, 0, 0, 2), 0, p, 12, 8);
        Packets.put16(p, 10, ~Packets.referenceSum(p, 0, 20, 0) & 0xffff);
        Packets.put16(p, 20, 5000);
        Packets.put16(p, 22, 53);
        Packets.put16(p, 24, 18);
        System.arraycopy(Packets.pattern(8, 9), 0, p, 28, 8);
        int pseudo = Packets.referenceSum(new byte[0], 0, 0, Packets.referenceSum(p, 12, 8, 0) + 17 + 18);
        int partialSum = Packets.referenceSum(p, 20, 18, pseudo);
        Packets.put16(p, 36, 0xffff - partialSum);
        assertEquals(0xffff, Packets.referenceSum(p, 20, 18, pseudo));
        Packets.put16(p, 26, pseudo);  // what the kernel leaves for CHECKSUM_PARTIAL
        byte[] read = Packets.concat(Packets.bytes(1, 0, 0, 0, 0, 0, 20, 0, 6, 0), p);
        byte[] out = split(read).get(0);
        assertEquals(0xffff, Packets.get16(out, 26));
    }

    @Test
    void malformedReadsEmitNothing() {
        Packets.Spec s = spec(false, 3000, TCP_ACK);
        byte[] good = Packets.tsoRead(s, 1000);
        assertEquals(3, splitResult(good));

        assertEquals(SplitDrop.TRUNCATED, SplitDrop.of(splitResult(new byte[10])));
        assertEquals(SplitDrop.TRUNCATED, SplitDrop.of(splitResult(new byte[3])));
        for (int type : new int[] {VirtioNetHeader.GSO_UDP, VirtioNetHeader.GSO_UDP_L4, 2, 6, 0x7f, 0x80, 0x83}) {
            byte[] bad = good.clone();
            bad[1] = (byte) type;
            assertEquals(SplitDrop.UNSUPPORTED_GSO_TYPE, SplitDrop.of(splitResult(bad)), "gso_type " + type);
        }
        byte[] zeroMss = good.clone();
        Packets.putLe16(zeroMss, 4, 0);
        assertEquals(SplitDrop.BAD_GSO_SIZE, SplitDrop.of(splitResult(zeroMss)));
        byte[] wrongVersion = good.clone();
        wrongVersion[1] = (byte) VirtioNetHeader.GSO_TCPV6;
        assertEquals(SplitDrop.BAD_IP_HEADER, SplitDrop.of(splitResult(wrongVersion)));
        byte[] csumStartOff = good.clone();
        Packets.putLe16(csumStartOff, 6, 24);
        assertEquals(SplitDrop.BAD_IP_HEADER, SplitDrop.of(splitResult(csumStartOff)));
        byte[] hugeDataOffset = good.clone();
        hugeDataOffset[10 + 20 + 12] = (byte) 0x40;  // 16 bytes < 20
        assertEquals(SplitDrop.BAD_TCP_HEADER, SplitDrop.of(splitResult(hugeDataOffset)));
        assertEquals(SplitDrop.BAD_TCP_HEADER, SplitDrop.of(splitResult(Packets.range(good, 0, 10 + 20 + 30))));
        assertEquals(SplitDrop.BAD_GSO_SIZE, SplitDrop.of(splitResult(Packets.range(good, 0, 10 + 52))), "no payload");
        assertEquals(SplitDrop.BAD_IP_HEADER, SplitDrop.of(splitResult(Packets.range(good, 0, 10 + 19))));
        byte[] fragment = good.clone();
        fragment[10 + 6] |= 0x20;
        assertEquals(SplitDrop.BAD_IP_HEADER, SplitDrop.of(splitResult(fragment)));
        Packets.Spec huge = spec(false, 65_600, TCP_ACK);  // longer than a TUN read can be: segments must still fit
        assertEquals(SplitDrop.BAD_GSO_SIZE, SplitDrop.of(splitResult(Packets.tsoRead(huge, 65_535))));
        assertEquals(2, splitResult(Packets.tsoRead(huge, 65_535 - 52)));
        byte[] csumBeyond = Packets.concat(Packets.bytes(1, 0, 0, 0, 0, 0, 60, 0, 16, 0), Packets.pattern(70, 0));
        assertEquals(SplitDrop.BAD_CSUM_RANGE, SplitDrop.of(splitResult(csumBeyond)));
    }
}

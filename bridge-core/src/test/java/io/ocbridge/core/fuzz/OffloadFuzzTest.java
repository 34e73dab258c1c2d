package io.ocbridge.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ocbridge.crypto.fuzz.FuzzLoop;
import io.ocbridge.core.offload.Packets;
import io.ocbridge.core.offload.TcpCoalescer;
import io.ocbridge.core.offload.TsoSplitter;
import io.ocbridge.core.offload.VirtioNetHeader;
import io.ocbridge.core.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TUN offload on raw bytes: TsoSplitter.split on a virtio_net_hdr plus packet as a device read returns it, and
 * TcpCoalescer.offer on a sequence of packets a peer could send. Never throw, never leak, and every TCP segment
 * they produce carries valid checksums (the coalescer only merges segments whose checksum it verified, so its
 * super-packets must split back into valid segments).
 */
@ExtendWith(NoLeaks.class)
class OffloadFuzzTest {
    private static final int HEADROOM = 16;
    private static final int TAILROOM = 16;
    /**
     * Hands out buffers without the paranoid leak tracker (which records a stack trace per allocation and made
     * 100k inputs take minutes); instead it remembers each buffer and every input ends by checking that all of
     * them were released: a leak check per input rather than per GC.
     */
    private static final AllocationLedger ALLOC = new AllocationLedger();
    private static final TsoSplitter SPLITTER = new TsoSplitter(ALLOC, HEADROOM, TAILROOM);
    private static final TsoSplitter FRAME_SPLITTER = TsoSplitter.forFrames(ALLOC, HEADROOM, TAILROOM);
    /** How often the strong oracles ran (printed, and must not be zero: the seeds reach them). */
    private static long tcpSegmentsChecked;
    private static long superPacketsChecked;

    static final class AllocationLedger extends AbstractByteBufAllocator {
        private static final UnpooledByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(true, true);
        private final List<ByteBuf> live = new ArrayList<>();

        AllocationLedger() {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = UNTRACKED.directBuffer(initialCapacity, maxCapacity);
            live.add(b);
            return b;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = UNTRACKED.heapBuffer(initialCapacity, maxCapacity);
            live.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        /** Fails if a buffer handed out since the last call is still referenced (and releases it). */
        void assertAllReleased() {
            try {
                for (ByteBuf b : live) {
                    if (b.refCnt() != 0) {
                        int refCnt = b.refCnt();
                        b.release(refCnt);
                        throw new AssertionError("buffer of " + b.capacity() + " bytes still referenced: refCnt " + refCnt);
                    }
                }
            } finally {
                live.clear();
            }
        }
    }

    @FuzzTest(maxDuration = "10m")
    void tsoSplit(byte[] data) {
        splitOne(data);
    }

    @FuzzTest(maxDuration = "10m")
    void tcpCoalesce(byte[] data) {
        coalesceOne(data);
    }

    @Test
    void tsoSplitMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(OffloadFuzzTest.class, "tsoSplit");
        assertTrue(FuzzLoop.run("tso-split", seeds, 2048, OffloadFuzzTest::splitOne) >= seeds.size());
        System.out.printf("tso-split: %d TCP segments checked%n", tcpSegmentsChecked);
        assertTrue(tcpSegmentsChecked > 0);
    }

    /** The TAP flavour of the splitter: the same reads with an Ethernet header after the virtio header. */
    @Test
    void frameSplitMutationLoop() {
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] read : FuzzLoop.corpus(OffloadFuzzTest.class, "tsoSplit")) {
            if (read.length > VirtioNetHeader.SIZE) {
                byte[] link = linkHeader(0, read[VirtioNetHeader.SIZE]);
                byte[] frame = Packets.concat(java.util.Arrays.copyOf(read, VirtioNetHeader.SIZE), link,
                        java.util.Arrays.copyOfRange(read, VirtioNetHeader.SIZE, read.length));
                Packets.putLe16(frame, VirtioNetHeader.CSUM_START_OFFSET,
                        Packets.get16le(read, VirtioNetHeader.CSUM_START_OFFSET) + link.length);
                seeds.add(frame);
            }
        }
        assertTrue(FuzzLoop.run("frame-split", seeds, 2048, OffloadFuzzTest::splitFramesOne) >= seeds.size());
    }

    /** One TAP read: never throws, emits exactly what it counts, leaks nothing. */
    static void splitFramesOne(byte[] data) {
        try {
            int[] emitted = {0};
            int n = FRAME_SPLITTER.split(Unpooled.wrappedBuffer(data), b -> {
                emitted[0]++;
                b.release();
            });
            assertEquals(n < 0 ? 0 : n, emitted[0]);
        } finally {
            ALLOC.assertAllReleased();
        }
    }

    /**
     * The TAP flavour of the coalescer (frames a remote peer sends into a stretched segment): the same records, each
     * packet behind an Ethernet header whose source MAC and VLAN tag come from its control byte.
     */
    @Test
    void frameCoalesceMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(OffloadFuzzTest.class, "tcpCoalesce");
        long before = superPacketsChecked;
        assertTrue(FuzzLoop.run("frame-coalesce", seeds, 8192, OffloadFuzzTest::coalesceFramesOne) >= seeds.size());
        System.out.printf("frame-coalesce: %d super-frames split and checked%n", superPacketsChecked - before);
        assertTrue(superPacketsChecked > before);
    }

    @Test
    void tcpCoalesceMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(OffloadFuzzTest.class, "tcpCoalesce");
        assertTrue(FuzzLoop.run("tcp-coalesce", seeds, 8192, OffloadFuzzTest::coalesceOne) >= seeds.size());
        System.out.printf("tcp-coalesce: %d super-packets split and checked%n", superPacketsChecked);
        assertTrue(superPacketsChecked > 0);
    }

    /** The whole input is one device read (virtio_net_hdr and packet), in a plain array (borrowed, not tracked). */
    static void splitOne(byte[] data) {
        try {
            splitAndCheck(data);
        } finally {
            ALLOC.assertAllReleased();
        }
    }

    private static void splitAndCheck(byte[] data) {
        ByteBuf src = Unpooled.wrappedBuffer(data);
        List<byte[]> out = new ArrayList<>();
        int n = SPLITTER.split(src, b -> {
            try {
                assertEquals(HEADROOM, b.readerIndex());
                assertTrue(b.writableBytes() >= TAILROOM);
                out.add(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        });
        assertEquals(n < 0 ? 0 : n, out.size(), "result " + n);
        assertEquals(0, src.readerIndex());
        assertEquals(data.length, src.writerIndex());
        int gsoType = data.length > 1 ? data[1] & ~VirtioNetHeader.GSO_ECN & 0xff : -1;
        if (n > 0 && (gsoType == VirtioNetHeader.GSO_TCPV4 || gsoType == VirtioNetHeader.GSO_TCPV6)) {
            int csumStart = VirtioNetHeader.csumStart(src, 0);
            for (byte[] segment : out) {
                assertTrue(tcpChecksumsValid(segment, csumStart), "segment checksums");
                tcpSegmentsChecked++;
            }
        }
    }

    /** IPv4 header checksum (IPv4) and the TCP checksum of a segment whose TCP header is at {@code tcp}. */
    static boolean tcpChecksumsValid(byte[] p, int tcp) {
        boolean ipv6 = (p[0] & 0xf0) == 0x60;
        if (!ipv6 && Packets.referenceSum(p, 0, (p[0] & 0x0f) * 4, 0) != 0xffff) {
            return false;
        }
        return Packets.referenceSum(p, tcp, p.length - tcp, Packets.pseudoSum(p, ipv6, p.length - tcp)) == 0xffff;
    }

    /**
     * Records [control][length: 2 bytes][packet]: control bit 0 flushes after the packet, bits 1-4 give the
     * headroom before it (below 10 exercises the copy). Everything offered or allocated is released by the end.
     */
    static void coalesceOne(byte[] data) {
        coalesce(data, false);
    }

    /** As {@link #coalesceOne}, through a TAP coalescer: control bits 5-6 pick the source MAC, bit 7 adds a VLAN tag. */
    static void coalesceFramesOne(byte[] data) {
        coalesce(data, true);
    }

    private static void coalesce(byte[] data, boolean frames) {
        TcpCoalescer coalescer = frames
                ? TcpCoalescer.forFrames(ALLOC, OffloadFuzzTest::checkFrameWrite)
                : new TcpCoalescer(ALLOC, OffloadFuzzTest::checkWrite);
        try {
            int at = 0;
            while (at + 3 <= data.length) {
                int control = data[at] & 0xff;
                int length = Math.min(((data[at + 1] & 0xff) << 8) | (data[at + 2] & 0xff), data.length - at - 3);
                at += 3;
                int headroom = (control >>> 1) & 0x0f;
                byte[] link = frames ? linkHeader(control, length > 0 ? data[at] : 0) : new byte[0];
                ByteBuf packet = ALLOC.directBuffer(headroom + link.length + length);
                packet.setIndex(headroom, headroom).writeBytes(link).writeBytes(data, at, length);
                at += length;
                coalescer.offer(packet);
                assertTrue(coalescer.openFlows() <= TcpCoalescer.MAX_FLOWS);
                if ((control & 1) != 0) {
                    coalescer.flush();
                    assertEquals(0, coalescer.openFlows());
                }
            }
            coalescer.flush();
            assertEquals(0, coalescer.openFlows());
        } finally {
            coalescer.clear();
            ALLOC.assertAllReleased();  // offered packets, super-packets, and the re-split segments
        }
    }

    /** An Ethernet header for a packet whose first byte is {@code first}: IPv6 or IPv4 by its version nibble. */
    private static byte[] linkHeader(int control, byte first) {
        byte[] type = (first & 0xf0) == 0x60 ? Packets.bytes(0x86, 0xdd) : Packets.bytes(0x08, 0x00);
        byte[] macs = Packets.bytes(0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, (control >>> 5) & 3);
        return (control & 0x80) != 0
                ? Packets.concat(macs, Packets.bytes(0x81, 0x00, 0x00, 0x64), type)
                : Packets.concat(macs, type);
    }

    /** A TAP write: as {@link #checkWrite}, the frame's link header repeated on every segment it splits into. */
    private static void checkFrameWrite(ByteBuf b) {
        try {
            int hdr = b.readerIndex();
            if (VirtioNetHeader.gsoType(b, hdr) == VirtioNetHeader.GSO_NONE) {
                assertEquals(0L, b.getLong(hdr));
                assertEquals(0, b.getShort(hdr + 8));
                return;
            }
            assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(b, hdr));
            byte[] read = ByteBufUtil.getBytes(b);
            int l2 = b.getUnsignedShort(hdr + VirtioNetHeader.SIZE + 12) == 0x8100 ? 18 : 14;
            int csumStart = VirtioNetHeader.csumStart(b, hdr);
            byte[] link = java.util.Arrays.copyOfRange(read, VirtioNetHeader.SIZE, VirtioNetHeader.SIZE + l2);
            List<byte[]> segments = new ArrayList<>();
            int n = FRAME_SPLITTER.split(Unpooled.wrappedBuffer(read), s -> {
                segments.add(ByteBufUtil.getBytes(s));
                s.release();
            });
            assertTrue(n >= 2 && n <= TcpCoalescer.MAX_SEGMENTS, "a super-frame of " + n);
            for (byte[] s : segments) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(link, java.util.Arrays.copyOf(s, l2), "link header");
                assertTrue(tcpChecksumsValid(java.util.Arrays.copyOfRange(s, l2, s.length), csumStart - l2),
                        "merged segment checksums");
            }
            superPacketsChecked++;
        } finally {
            b.release();
        }
    }

    /** A device write: plain packets behind a zero header; super-packets split back into valid segments. */
    private static void checkWrite(ByteBuf b) {
        try {
            int hdr = b.readerIndex();
            assertTrue(b.readableBytes() >= VirtioNetHeader.SIZE);
            if (VirtioNetHeader.gsoType(b, hdr) == VirtioNetHeader.GSO_NONE) {
                assertEquals(0L, b.getLong(hdr));
                assertEquals(0, b.getShort(hdr + 8));
                return;
            }
            assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(b, hdr));
            assertEquals(16, VirtioNetHeader.csumOffset(b, hdr));
            assertTrue(b.readableBytes() - VirtioNetHeader.SIZE <= TcpCoalescer.MAX_IP_BYTES);
            byte[] read = ByteBufUtil.getBytes(b);
            int csumStart = VirtioNetHeader.csumStart(b, hdr);
            List<byte[]> segments = new ArrayList<>();
            int n = SPLITTER.split(Unpooled.wrappedBuffer(read), s -> {
                segments.add(ByteBufUtil.getBytes(s));
                s.release();
            });
            assertTrue(n >= 2 && n <= TcpCoalescer.MAX_SEGMENTS, "a super-packet of " + n);
            for (byte[] s : segments) {
                assertTrue(tcpChecksumsValid(s, csumStart), "merged segment checksums");
            }
            superPacketsChecked++;
        } finally {
            b.release();
        }
    }

    /** Regenerates the regression inputs: {@code -Dtest=OffloadFuzzTest#writeSeeds -Dfuzz.writeSeeds=true}. */
    @Test
    @EnabledIfSystemProperty(named = "fuzz.writeSeeds", matches = "true")
    void writeSeeds() throws Exception {
        List<byte[]> split = new ArrayList<>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            Packets.Spec s = spec(ipv6, 1501, Packets.TCP_ACK | Packets.TCP_PSH | Packets.TCP_CWR | Packets.TCP_FIN);
            split.add(Packets.tsoRead(s, 500));
            s.tcpOptions = new byte[0];
            split.add(Packets.tsoRead(s, 1000));
            byte[] none = Packets.tsoRead(s, 0);
            none[1] = 0;
            split.add(none);
            byte[] udp = Packets.tsoRead(s, 500);
            udp[1] = VirtioNetHeader.GSO_UDP_L4;
            split.add(udp);
        }
        Packets.Spec options = spec(false, 900, Packets.TCP_ACK);
        options.ipv4Options = Packets.bytes(0x94, 4, 0, 0);
        split.add(Packets.tsoRead(options, 300));
        Packets.Spec hop = spec(true, 900, Packets.TCP_ACK);
        hop.ipv6HopByHop = new byte[8];
        split.add(Packets.tsoRead(hop, 256));
        save("tsoSplit", split);

        List<byte[]> coalesce = new ArrayList<>();
        List<byte[]> a = segments(spec(false, 4 * 300, Packets.TCP_ACK | Packets.TCP_PSH), 300);
        Packets.Spec bSpec = spec(true, 3 * 200 + 7, Packets.TCP_ACK);
        List<byte[]> b = segments(bSpec, 200);
        Packets.Spec ack = spec(false, 0, Packets.TCP_ACK);
        byte[] udp = Packets.tcp(spec(false, 40, Packets.TCP_ACK));
        udp[9] = 17;
        byte[] bad = b.get(1).clone();
        bad[bad.length - 1] ^= 1;
        coalesce.add(records(0x14, a));
        coalesce.add(records(0x14, List.of(a.get(0), b.get(0), a.get(1), b.get(1), udp, a.get(2), b.get(2), a.get(3), b.get(3))));
        coalesce.add(records(0x15, List.of(b.get(0), bad, b.get(2), Packets.tcp(ack), b.get(3))));
        coalesce.add(records(0x04, List.of(a.get(0), a.get(1), a.get(1), a.get(3), a.get(2))));
        save("tcpCoalesce", coalesce);
    }

    private static Packets.Spec spec(boolean ipv6, int payloadBytes, int flags) {
        return Packets.spec(ipv6, payloadBytes, flags, 17);
    }

    private static List<byte[]> segments(Packets.Spec s, int mss) {
        List<byte[]> out = new ArrayList<>();
        SPLITTER.split(Unpooled.wrappedBuffer(Packets.tsoRead(s, mss)), b -> {
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        });
        return out;
    }

    private static byte[] records(int control, List<byte[]> packets) {
        List<byte[]> parts = new ArrayList<>();
        for (byte[] p : packets) {
            parts.add(Packets.bytes(control, p.length >>> 8, p.length));
            parts.add(p);
        }
        return Packets.concat(parts.toArray(new byte[0][]));
    }

    private static void save(String method, List<byte[]> inputs) throws Exception {
        Path dir = Paths.get("src/test/resources/io/ocbridge/core/fuzz/OffloadFuzzTestInputs", method);
        Files.createDirectories(dir);
        for (int i = 0; i < inputs.size(); i++) {
            Files.write(dir.resolve(String.format("seed-%02d", i)), inputs.get(i));
        }
    }
}

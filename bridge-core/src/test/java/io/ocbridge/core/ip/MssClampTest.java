package io.ocbridge.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.ocbridge.core.ip.Ipv4FragmenterTest.TrackingAllocator;
import io.ocbridge.core.packet.Ethernet;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MssClampTest {

    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int RST = 0x04;
    private static final byte[] MSS_FIRST = {2, 4, 0x05, (byte) 0xB4, 1, 1, 4, 2}; // MSS 1460, NOP NOP SACK-permitted
    /** Linux's SYN layout with MSS second: NOP NOP TIMESTAMP(10), then MSS at an even offset. */
    private static final byte[] MSS_AFTER_TIMESTAMP = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 2, 4, (byte) 0x23, 0x28, 1, 3, 3, 7};
    /** One NOP before the MSS: the value sits at an odd offset and straddles two checksum words. */
    private static final byte[] MSS_ODD = {1, 2, 4, 0x05, (byte) 0xB4, 3, 3, 7};

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final Random random = new Random(879);

    @AfterEach
    void allReleased() {
        alloc.assertAllReleased();
    }

    /** Ethernet [+ 802.1Q] + IPv4/IPv6 + TCP with {@code options}, 10 payload bytes, correct checksums. */
    private ByteBuf tcpFrame(boolean ipv6, boolean vlan, int flags, byte[] options) {
        ByteBuf frame = alloc.directBuffer(200);
        frame.writeBytes(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        if (vlan) {
            frame.writeShort(0x8100).writeShort(42);
        }
        frame.writeShort(ipv6 ? 0x86DD : 0x0800);
        int ip = frame.writerIndex();
        int tcpBytes = 20 + options.length + 10;
        if (ipv6) {
            frame.writeInt(0x6000_0000).writeShort(tcpBytes).writeByte(6).writeByte(64);
            frame.writeLong(0x2001_0db8_0000_0000L).writeLong(1).writeLong(0x2001_0db8_0000_0000L).writeLong(2);
        } else {
            frame.writeByte(0x45).writeByte(0).writeShort(20 + tcpBytes).writeShort(77).writeShort(0x4000);
            frame.writeByte(64).writeByte(6).writeShort(0).writeInt(0xC0A8_0001).writeInt(0xC0A8_0002);
            Ipv4FragmenterTest.fixChecksum(frame, ip);
        }
        int tcp = frame.writerIndex();
        frame.writeShort(40000).writeShort(443).writeInt(123456).writeInt(flags == SYN ? 0 : 99);
        frame.writeByte((20 + options.length) / 4 << 4).writeByte(flags).writeShort(64240).writeShort(0).writeShort(0);
        frame.writeBytes(options);
        frame.writeBytes("0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        frame.setShort(tcp + 16, Checksums.finish(tcpSum(frame, ipv6, ip, tcp)));
        assertTrue(tcpChecksumValid(frame, ipv6, vlan));
        return frame;
    }

    /** Sum over pseudo-header and segment (checksum field included as stored). */
    private static int tcpSum(ByteBuf frame, boolean ipv6, int ip, int tcp) {
        int segmentBytes = frame.writerIndex() - tcp;
        int sum;
        if (ipv6) {
            sum = Checksums.sum(frame, ip + 8, 32, 0);
            sum += segmentBytes + 6;
        } else {
            sum = Checksums.sum(frame, ip + 12, 8, 0);
            sum += segmentBytes + 6;
        }
        return Checksums.sum(frame, tcp, segmentBytes, sum);
    }

    private static boolean tcpChecksumValid(ByteBuf frame, boolean ipv6, boolean vlan) {
        int ip = 14 + (vlan ? 4 : 0);
        int tcp = ip + (ipv6 ? 40 : 20);
        return tcpSum(frame, ipv6, ip, tcp) == 0xFFFF;
    }

    private static int mss(ByteBuf frame, boolean ipv6, boolean vlan, byte[] options) {
        int tcp = 14 + (vlan ? 4 : 0) + (ipv6 ? 40 : 20);
        for (int i = 0; i < options.length; i++) {
            if (options[i] == 2) {
                return frame.getUnsignedShort(tcp + 20 + i + 2);
            }
            if (options[i] != 1) {
                i += options[i + 1] - 1;
            }
        }
        throw new AssertionError("no MSS option");
    }

    private void assertClamped(boolean ipv6, boolean vlan, int flags, byte[] options) {
        ByteBuf frame = tcpFrame(ipv6, vlan, flags, options);
        try {
            assertTrue(MssClamp.clamp(frame, 1330, 1310));
            assertEquals(ipv6 ? 1310 : 1330, mss(frame, ipv6, vlan, options));
            assertTrue(tcpChecksumValid(frame, ipv6, vlan), "TCP checksum after clamping");
            assertEquals(0, frame.readerIndex());
        } finally {
            frame.release();
        }
    }

    private void assertUntouched(ByteBuf frame, int maxMssV4, int maxMssV6) {
        ByteBuf before = frame.copy();
        try {
            assertFalse(MssClamp.clamp(frame, maxMssV4, maxMssV6));
            assertTrue(ByteBufUtil.equals(before, frame));
        } finally {
            before.release();
            frame.release();
        }
    }

    @Test
    void ipv4SynMssFirst() {
        assertClamped(false, false, SYN, MSS_FIRST);
    }

    @Test
    void ipv4SynAckWithVlanTagAndMssAfterTimestamp() {
        assertClamped(false, true, SYN | ACK, MSS_AFTER_TIMESTAMP);
    }

    @Test
    void ipv4SynMssAtOddOffset() {
        assertClamped(false, false, SYN, MSS_ODD);
        assertClamped(false, true, SYN, MSS_ODD);
    }

    @Test
    void ipv6SynMssFirst() {
        assertClamped(true, false, SYN, MSS_FIRST);
    }

    @Test
    void ipv6SynAckWithVlanTagMssNotFirstAndOdd() {
        assertClamped(true, true, SYN | ACK, MSS_AFTER_TIMESTAMP);
        assertClamped(true, true, SYN, MSS_ODD);
    }

    @Test
    void synBehindAnSTagAndACTagIsClamped() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            ByteBuf single = tcpFrame(ipv6, true, SYN, MSS_FIRST);
            ByteBuf frame = alloc.directBuffer(single.readableBytes() + 4);
            frame.writeBytes(single, 0, 12).writeShort(0x88A8).writeShort(7);  // 802.1ad S-tag, then the C-tag
            frame.writeBytes(single, 12, single.readableBytes() - 12);
            single.release();
            try {
                assertTrue(MssClamp.clamp(frame, 1330, 1310), ipv6 ? "IPv6" : "IPv4");
                ByteBuf inner = frame.slice(4, frame.readableBytes() - 4);  // as if only the C-tag were there
                assertEquals(ipv6 ? 1310 : 1330, mss(inner, ipv6, true, MSS_FIRST));
                assertTrue(tcpChecksumValid(inner, ipv6, true), "TCP checksum after clamping");
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void incrementalChecksumMatchesRecomputeForRandomMssValuesAndAlignments() {
        for (int round = 0; round < 2_000; round++) {
            boolean ipv6 = random.nextBoolean();
            boolean vlan = random.nextBoolean();
            int nops = random.nextInt(4);
            byte[] options = new byte[(nops + 4 + 3) & ~3];
            java.util.Arrays.fill(options, (byte) 1);
            int mss = 1 + random.nextInt(65535);
            options[nops] = 2;
            options[nops + 1] = 4;
            options[nops + 2] = (byte) (mss >>> 8);
            options[nops + 3] = (byte) mss;
            ByteBuf frame = tcpFrame(ipv6, vlan, SYN, options);
            try {
                int limit = 1 + random.nextInt(65535);
                boolean changed = MssClamp.clamp(frame, limit, limit);
                assertEquals(mss > limit, changed);
                assertEquals(Math.min(mss, limit), mss(frame, ipv6, vlan, options));
                assertTrue(tcpChecksumValid(frame, ipv6, vlan), "round " + round);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void smallerMssIsUntouched() {
        assertUntouched(tcpFrame(false, false, SYN, MSS_FIRST), 1460, 1460);
        assertUntouched(tcpFrame(true, true, SYN, MSS_FIRST), 1500, 1460);
    }

    @Test
    void nonSynAndRstAreUntouched() {
        assertUntouched(tcpFrame(false, false, ACK, MSS_FIRST), 1330, 1310);
        assertUntouched(tcpFrame(true, false, ACK, MSS_FIRST), 1330, 1310);
        assertUntouched(tcpFrame(false, false, SYN | RST, MSS_FIRST), 1330, 1310);
    }

    @Test
    void disabledFamilyIsUntouched() {
        assertUntouched(tcpFrame(false, false, SYN, MSS_FIRST), 0, 1310);
        assertUntouched(tcpFrame(true, false, SYN, MSS_FIRST), 1330, -1);
    }

    @Test
    void ipv4FragmentWithOffsetIsSkipped() {
        ByteBuf frame = tcpFrame(false, false, SYN, MSS_FIRST);
        frame.setShort(14 + 6, 0x0001);
        Ipv4FragmenterTest.fixChecksum(frame, 14);
        assertUntouched(frame, 1330, 1310);
    }

    @Test
    void ipv6WithExtensionHeaderIsSkipped() {
        ByteBuf frame = tcpFrame(true, false, SYN, MSS_FIRST);
        frame.setByte(14 + 6, 0); // hop-by-hop first
        assertUntouched(frame, 1330, 1310);
    }

    @Test
    void malformedOptionsAreSkipped() {
        assertUntouched(tcpFrame(false, false, SYN, new byte[] {0, 2, 4, 5, (byte) 0xB4, 0, 0, 0}), 1330, 1310); // EOL first
        assertUntouched(tcpFrame(false, false, SYN, new byte[] {8, 0, 2, 4, 5, (byte) 0xB4, 0, 0}), 1330, 1310); // length 0
        assertUntouched(tcpFrame(false, false, SYN, new byte[] {1, 1, 1, 8, 9, 2, 4, 5}), 1330, 1310); // runs past options
        assertUntouched(tcpFrame(false, false, SYN, new byte[] {2, 3, 5, (byte) 0xB4}), 1330, 1310); // MSS of length 3
    }

    @Test
    void truncatedFramesAtEveryLengthNeverThrowNorReadPastTheEnd() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (boolean vlan : new boolean[] {false, true}) {
                ByteBuf full = tcpFrame(ipv6, vlan, SYN, MSS_AFTER_TIMESTAMP);
                try {
                    for (int length = 0; length < full.readableBytes(); length++) {
                        ByteBuf before = full.copy(0, length);
                        ByteBuf truncated = full.slice(0, length); // capacity = length: any read past it throws
                        assertFalse(MssClamp.clamp(truncated, 1330, 1310), "length " + length);
                        assertTrue(ByteBufUtil.equals(before, truncated));
                        before.release();
                    }
                    assertTrue(MssClamp.clamp(full.slice(), 1330, 1310));
                } finally {
                    full.release();
                }
            }
        }
    }

    @Test
    void randomFramesNeverThrow() {
        for (int round = 0; round < 20_000; round++) {
            ByteBuf frame = tcpFrame(random.nextBoolean(), random.nextBoolean(), SYN, MSS_AFTER_TIMESTAMP);
            try {
                int mutations = 1 + random.nextInt(4);
                for (int m = 0; m < mutations; m++) {
                    frame.setByte(random.nextInt(frame.readableBytes()), random.nextInt(256));
                }
                ByteBuf view = frame.slice(0, random.nextInt(frame.readableBytes() + 1));
                MssClamp.clamp(view, 1 + random.nextInt(2000), 1 + random.nextInt(2000));
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void paddedFrameUsesTheIpLength() {
        ByteBuf frame = tcpFrame(false, false, SYN, MSS_FIRST);
        frame.writeZero(20); // Ethernet padding / trailer beyond the IP packet
        try {
            assertTrue(MssClamp.clamp(frame, 1330, 1310));
            frame.writerIndex(frame.writerIndex() - 20);
            assertTrue(tcpChecksumValid(frame, false, false));
        } finally {
            frame.release();
        }
    }

    @Test
    void autoMssLeavesRoomForTheOverlayHeaders() {
        assertEquals(1330, MssClamp.autoMssV4(1420));
        assertEquals(1310, MssClamp.autoMssV6(1420));
        assertEquals(1410, MssClamp.autoMssV4(1500));
        assertEquals(0, MssClamp.autoMssV4(60));
        assertEquals(0, MssClamp.autoMssV6(100));
    }
}

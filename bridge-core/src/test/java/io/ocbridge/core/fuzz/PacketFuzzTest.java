package io.ocbridge.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.ip.Ipv4Reassembler;
import io.ocbridge.core.ip.MssClamp;
import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.fuzz.FuzzLoop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MSS clamping and IPv4 reassembly on raw bytes: never throw, never leak, stay within their bounds. */
@ExtendWith(NoLeaks.class)
class PacketFuzzTest {
    private static final int REASSEMBLY_MAX_BYTES = 16 * 1024;
    private static final int REASSEMBLY_MAX_DATAGRAMS = 8;
    private static final long REASSEMBLY_TIMEOUT_NANOS = 1_000_000_000L;

    @FuzzTest(maxDuration = "10m")
    void mssClamp(byte[] data) {
        clampOne(data);
    }

    @FuzzTest(maxDuration = "10m")
    void ipv4Reassembly(byte[] data) {
        reassembleOne(data);
    }

    @Test
    void checksumOracleAcceptsTheSeeds() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (boolean vlan : new boolean[] {false, true}) {
                byte[] frame = Seeds.tcpSyn(ipv6, vlan, 1460);
                assertTrue(tcpChecksumValid(Unpooled.wrappedBuffer(frame)), "ipv6=" + ipv6 + " vlan=" + vlan);
                ByteBuf clamped = Unpooled.wrappedBuffer(frame);
                assertTrue(MssClamp.clamp(clamped, 1000, 1000));
                assertTrue(tcpChecksumValid(clamped), "after clamping, ipv6=" + ipv6 + " vlan=" + vlan);
            }
        }
    }

    @Test
    void mssClampMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(PacketFuzzTest.class, "mssClamp");
        assertTrue(FuzzLoop.run("mss-clamp", seeds, 2048, PacketFuzzTest::clampOne) >= seeds.size());
    }

    @Test
    void ipv4ReassemblyMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(PacketFuzzTest.class, "ipv4Reassembly");
        assertTrue(FuzzLoop.run("ipv4-reassembly", seeds, 8192, PacketFuzzTest::reassembleOne) >= seeds.size());
    }

    /**
     * First byte: the IPv4 and IPv6 limits to clamp to; the rest is the frame, with a canary after it.
     * Clamping changes at most the MSS and the checksum (4 bytes), nothing outside the frame, no index,
     * and clamping again changes nothing.
     */
    static void clampOne(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int limits = data[0] & 0xff;
        int maxV4 = (limits & 0x0f) == 0 ? 0 : 500 + (limits & 0x0f) * 64;
        int maxV6 = (limits >>> 4) == 0 ? 0 : 500 + (limits >>> 4) * 64;
        int frameBytes = data.length - 1;
        // Borrowed, never released by clamp: a plain wrapped array (no leak tracker recording every read).
        byte[] memory = new byte[4 + frameBytes + 8];
        java.util.Arrays.fill(memory, (byte) 0xa5);
        System.arraycopy(data, 1, memory, 4, frameBytes);
        ByteBuf buf = Unpooled.wrappedBuffer(memory).setIndex(4, 4 + frameBytes);
        boolean checksumWasValid = tcpChecksumValid(buf);
        boolean changed = MssClamp.clamp(buf, maxV4, maxV6);
        assertEquals(4, buf.readerIndex());
        assertEquals(4 + frameBytes, buf.writerIndex());
        int differing = 0;
        for (int i = 0; i < memory.length; i++) {
            boolean inFrame = i >= 4 && i < 4 + frameBytes;
            byte expected = inFrame ? data[i - 3] : (byte) 0xa5;
            if (memory[i] != expected) {
                assertTrue(inFrame, "clamp wrote outside the frame at " + (i - 4));
                differing++;
            }
        }
        assertTrue(differing <= 4, "clamp changed " + differing + " bytes");
        if (differing > 0) {
            assertTrue(changed, "clamp changed the frame but reported no change");
        }
        if (changed) {
            assertFalse(MssClamp.clamp(buf, maxV4, maxV6), "clamping is idempotent");
        }
        if (checksumWasValid) {
            assertTrue(tcpChecksumValid(buf), "clamping broke a valid TCP checksum");
        }
    }

    /** Whether the frame holds a whole unfragmented TCP segment over IPv4/IPv6 whose checksum verifies. */
    static boolean tcpChecksumValid(ByteBuf frame) {
        int at = frame.readerIndex();
        int end = frame.writerIndex();
        if (end - at < 14) {
            return false;
        }
        int type = frame.getUnsignedShort(at + 12);
        int l3 = at + 14;
        if ((type == 0x8100 || type == 0x88a8) && end - l3 >= 4) {
            type = frame.getUnsignedShort(at + 16);
            l3 += 4;
        }
        int tcp;
        int tcpBytes;
        int pseudo;
        if (type == 0x0800 && end - l3 >= 20 && frame.getUnsignedByte(l3) >>> 4 == 4) {
            int ihl = (frame.getUnsignedByte(l3) & 0x0f) * 4;
            int total = frame.getUnsignedShort(l3 + 2);
            if (ihl < 20 || total < ihl || l3 + total > end || frame.getUnsignedByte(l3 + 9) != 6
                    || (frame.getUnsignedShort(l3 + 6) & 0x3fff) != 0) {
                return false;
            }
            tcp = l3 + ihl;
            tcpBytes = total - ihl;
            pseudo = Checksums.sum(frame, l3 + 12, 8, tcpBytes + 6);
        } else if (type == 0x86dd && end - l3 >= 40 && frame.getUnsignedByte(l3) >>> 4 == 6
                && frame.getUnsignedByte(l3 + 6) == 6) {
            tcp = l3 + 40;
            tcpBytes = frame.getUnsignedShort(l3 + 4);
            if (tcp + tcpBytes > end) {
                return false;
            }
            pseudo = Checksums.sum(frame, l3 + 8, 32, tcpBytes + 6);
        } else {
            return false;
        }
        if (tcpBytes < 20) {
            return false;
        }
        return Checksums.finish(Checksums.sum(frame, tcp, tcpBytes, pseudo)) == 0;
    }

    /**
     * A sequence of records [clock step in 100 ms units][length: 2 bytes][IPv4 packet] into one small
     * reassembler. Every packet offered is consumed or returned; pending state stays within its bounds
     * after every offer; reassembled datagrams have a consistent header; nothing is held after clear().
     */
    static void reassembleOne(byte[] data) {
        ManualClock now = new ManualClock(1_000_000_000L);
        Ipv4Reassembler reassembler = new Ipv4Reassembler(PooledByteBufAllocator.DEFAULT, REASSEMBLY_MAX_BYTES,
                REASSEMBLY_MAX_DATAGRAMS, REASSEMBLY_TIMEOUT_NANOS, now, (data.length > 0 && (data[0] & 0x80) != 0) ? 16 : 0);
        List<ByteBuf> offered = new ArrayList<>();
        try {
            int at = 0;
            while (at + 3 <= data.length) {
                int step = data[at] & 0x7f;
                int length = Math.min(((data[at + 1] & 0xff) << 8) | (data[at + 2] & 0xff), data.length - at - 3);
                at += 3;
                now.advanceNanos(step * 100_000_000L);
                if (step > 0x70) {
                    reassembler.expire();
                }
                ByteBuf packet = PooledByteBufAllocator.DEFAULT.directBuffer(length + 4);
                packet.writeBytes(data, at, length);
                at += length;
                offered.add(packet);
                ByteBuf whole = reassembler.offer(packet);
                assertTrue(reassembler.pendingBytes() <= REASSEMBLY_MAX_BYTES, "pendingBytes " + reassembler.pendingBytes());
                assertTrue(reassembler.pendingDatagrams() <= REASSEMBLY_MAX_DATAGRAMS);
                assertTrue(reassembler.pendingBytes() >= 0 && reassembler.pendingDatagrams() >= 0);
                if (whole == null) {
                    continue;
                }
                if (whole != packet) {
                    offered.add(whole);
                    int ip = whole.readerIndex();
                    assertEquals(4, whole.getUnsignedByte(ip) >>> 4);
                    assertEquals(whole.readableBytes(), whole.getUnsignedShort(ip + 2), "total length fixed");
                    assertEquals(0, whole.getUnsignedShort(ip + 6) & 0x3fff, "MF and offset cleared");
                }
                assertEquals(1, whole.refCnt());
                whole.release();
            }
        } finally {
            reassembler.clear();
            assertEquals(0, reassembler.pendingBytes());
            assertEquals(0, reassembler.pendingDatagrams());
            for (ByteBuf b : offered) {
                if (b.refCnt() != 0) {
                    int refCnt = b.refCnt();
                    b.release(refCnt);
                    throw new AssertionError("buffer still referenced after clear(): refCnt " + refCnt);
                }
            }
        }
    }
}

package io.ocbridge.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The static readers of the header layouts, on hand-built headers (offsets counted from a non-zero start). */
class HeaderReadersTest {
    private static final int AT = 3;

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer(AT + values.length);
        buf.writeZero(AT);
        for (int v : values) {
            buf.writeByte(v);
        }
        return buf;
    }

    private static ByteBuf frame(int payloadBytes, int... types) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeZero(AT).writeZero(12);
        for (int i = 0; i < types.length; i++) {
            buf.writeShort(types[i]);
            if (i < types.length - 1) {
                buf.writeShort(42);  // a tag's TCI
            }
        }
        return buf.writeZero(payloadBytes);
    }

    @Test
    void ipVersionIsTheFirstNibble() {
        assertEquals(4, Ip.version(bytes(0x45), AT));
        assertEquals(6, Ip.version(bytes(0x60), AT));
        assertEquals(15, Ip.version(bytes(0xff), AT));
    }

    @Test
    void ipv4HeaderBytesComeFromIhlInWords() {
        assertEquals(20, Ipv4Header.headerBytes(bytes(0x45), AT));
        assertEquals(60, Ipv4Header.headerBytes(bytes(0x4f), AT));
        assertEquals(0, Ipv4Header.headerBytes(bytes(0x40), AT));
        assertEquals(24, Ipv4Header.headerBytes(0x46));
    }

    @Test
    void ipv4FragmentFieldTellsFirstAndLaterFragments() {
        ByteBuf whole = bytes(0x45, 0, 0, 20, 0, 1, 0x40, 0x00);  // DF only
        ByteBuf first = bytes(0x45, 0, 0, 20, 0, 1, 0x20, 0x00);  // MF, offset 0
        ByteBuf last = bytes(0x45, 0, 0, 20, 0, 1, 0x00, 0x01);   // offset 8 bytes, no MF
        ByteBuf high = bytes(0x45, 0, 0, 20, 0, 1, 0x1f, 0xff);   // largest offset
        assertFalse(Ipv4Header.isFragment(whole, AT));
        assertFalse(Ipv4Header.isLaterFragment(whole, AT));
        assertTrue(Ipv4Header.isFragment(first, AT));
        assertFalse(Ipv4Header.isLaterFragment(first, AT));
        assertTrue(Ipv4Header.isFragment(last, AT));
        assertTrue(Ipv4Header.isLaterFragment(last, AT));
        assertTrue(Ipv4Header.isLaterFragment(high, AT));
    }

    @Test
    void tcpHeaderBytesComeFromTheDataOffsetInWords() {
        int[] header = new int[TcpHeader.HEADER_BYTES];
        header[TcpHeader.DATA_OFFSET_OFFSET] = 0x80;  // 8 words, reserved bits clear
        assertEquals(32, TcpHeader.headerBytes(bytes(header), AT));
        header[TcpHeader.DATA_OFFSET_OFFSET] = 0x5f;  // reserved bits do not count
        assertEquals(20, TcpHeader.headerBytes(bytes(header), AT));
        assertEquals(60, TcpHeader.headerBytes(0xf0));
    }

    @Test
    void ipOffsetLooksThroughUpToTwoTags() {
        assertEquals(14, Ethernet.ipOffset(frame(20, Ethernet.TYPE_IPV4), AT, 14 + 20));
        assertEquals(18, Ethernet.ipOffset(frame(40, Ethernet.TYPE_VLAN, Ethernet.TYPE_IPV6), AT, 18 + 40));
        assertEquals(22, Ethernet.ipOffset(frame(20, Ethernet.TYPE_QINQ, Ethernet.TYPE_VLAN, Ethernet.TYPE_IPV4),
                AT, 22 + 20));
        assertEquals(-1, Ethernet.ipOffset(
                frame(20, Ethernet.TYPE_QINQ, Ethernet.TYPE_VLAN, Ethernet.TYPE_VLAN, Ethernet.TYPE_IPV4), AT, 26 + 20));
    }

    @Test
    void ipOffsetRefusesOtherPayloadsAndBareHeaders() {
        assertEquals(-1, Ethernet.ipOffset(frame(28, Ethernet.TYPE_ARP), AT, 14 + 28));
        assertEquals(-1, Ethernet.ipOffset(frame(0, Ethernet.TYPE_IPV4), AT, 14));  // nothing after the header
        assertEquals(14, Ethernet.ipOffset(frame(1, Ethernet.TYPE_IPV4), AT, 15));
        assertEquals(-1, Ethernet.ipOffset(frame(0, Ethernet.TYPE_VLAN, Ethernet.TYPE_IPV4), AT, 18));
        assertEquals(-1, Ethernet.ipOffset(frame(2, Ethernet.TYPE_VLAN), AT, 16));  // cut inside the tag
        assertEquals(-1, Ethernet.ipOffset(frame(20, Ethernet.TYPE_IPV4), AT, 13));  // cut inside the type
    }
}

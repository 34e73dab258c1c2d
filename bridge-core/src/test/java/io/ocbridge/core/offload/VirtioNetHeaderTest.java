package io.ocbridge.core.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {

    @Test
    void fieldsAreLittleEndianAtTheirOffsets() {
        ByteBuf buf = Unpooled.buffer(16).writeZero(16);
        VirtioNetHeader.write(buf, 3, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN,
                0x0148, 1380, 40, 16);
        assertArrayEquals(Packets.bytes(0, 0, 0, 0x01, 0x84, 0x48, 0x01, 0x64, 0x05, 40, 0, 16, 0, 0, 0, 0),
                ByteBufUtil.getBytes(buf));
        assertEquals(1, VirtioNetHeader.flags(buf, 3));
        assertEquals(0x84, VirtioNetHeader.gsoType(buf, 3));
        assertEquals(0x148, VirtioNetHeader.hdrLen(buf, 3));
        assertEquals(1380, VirtioNetHeader.gsoSize(buf, 3));
        assertEquals(40, VirtioNetHeader.csumStart(buf, 3));
        assertEquals(16, VirtioNetHeader.csumOffset(buf, 3));
        assertEquals(0, buf.readerIndex());
        assertEquals(16, buf.writerIndex());
    }

    @Test
    void writeNoneZeroesExactlyTenBytes() {
        ByteBuf buf = Unpooled.buffer(12).writeBytes(Packets.pattern(12, 200));
        VirtioNetHeader.writeNone(buf, 1);
        byte[] b = ByteBufUtil.getBytes(buf);
        assertEquals(Packets.pattern(12, 200)[0], b[0]);
        assertArrayEquals(new byte[10], Packets.range(b, 1, 11));
        assertEquals(Packets.pattern(12, 200)[11], b[11]);
    }
}

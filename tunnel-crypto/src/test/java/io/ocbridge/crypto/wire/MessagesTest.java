package io.ocbridge.crypto.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void layoutsAddUpToTheWhitepaperSizes() {
        assertEquals(Protocol.INITIATION_SIZE, Initiation.SIZE);
        assertEquals(116, Initiation.MAC1_OFFSET);
        assertEquals(Protocol.RESPONSE_SIZE, Response.SIZE);
        assertEquals(60, Response.MAC1_OFFSET);
        assertEquals(Protocol.COOKIE_REPLY_SIZE, CookieReply.SIZE);
        assertEquals(Protocol.TRANSPORT_HEADER_SIZE, Transport.DATA_OFFSET);
        assertEquals(Initiation.MAC1_OFFSET, Macs.mac1Offset(Protocol.INITIATION_SIZE));
        assertEquals(Response.MAC2_OFFSET, Macs.mac2Offset(Protocol.RESPONSE_SIZE));
    }

    @Test
    void messageTypeNeedsAKnownTypeAndThreeZeroBytes() {
        for (int type = 1; type <= 4; type++) {
            assertEquals(type, Messages.messageType(ByteBuffer.wrap(new byte[] {(byte) type, 0, 0, 0, 9})));
        }
        assertEquals(Messages.INVALID, Messages.messageType(ByteBuffer.wrap(new byte[] {0, 0, 0, 0})));
        assertEquals(Messages.INVALID, Messages.messageType(ByteBuffer.wrap(new byte[] {5, 0, 0, 0})));
        assertEquals(Messages.INVALID, Messages.messageType(ByteBuffer.wrap(new byte[] {-127, 0, 0, 0})));
        assertEquals(Messages.INVALID, Messages.messageType(ByteBuffer.wrap(new byte[] {1, 0, 0, 1})));
        assertEquals(Messages.INVALID, Messages.messageType(ByteBuffer.wrap(new byte[] {1, 0, 0})));
        ByteBuffer offset = ByteBuffer.wrap(new byte[] {9, 9, 4, 0, 0, 0}).position(2);
        assertEquals(4, Messages.messageType(offset));
        assertEquals(2, offset.position());
    }

    @Test
    void lengthsPerType() {
        assertTrue(Messages.hasValidLength(1, 148));
        assertFalse(Messages.hasValidLength(1, 149));
        assertTrue(Messages.hasValidLength(2, 92));
        assertTrue(Messages.hasValidLength(3, 64));
        assertTrue(Messages.hasValidLength(4, 32));
        assertFalse(Messages.hasValidLength(4, 31));
    }

    @Test
    void littleEndianRegardlessOfBufferOrder() {
        ByteBuffer big = ByteBuffer.allocate(12);
        LittleEndian.putInt(big, 0, 0x04030201);
        LittleEndian.putLong(big, 4, 0x0807060504030201L);
        assertEquals(1, big.get(0));
        assertEquals(4, big.get(3));
        assertEquals(1, big.get(4));
        assertEquals(0x04030201, LittleEndian.getInt(big, 0));
        assertEquals(0x0807060504030201L, LittleEndian.getLong(big, 4));
    }
}

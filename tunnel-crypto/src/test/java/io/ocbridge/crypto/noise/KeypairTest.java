package io.ocbridge.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.wire.LittleEndian;
import io.ocbridge.crypto.wire.Messages;
import io.ocbridge.crypto.wire.Transport;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class KeypairTest {

    private static Keypair[] pair() {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        k1[0] = 1;
        k2[0] = 2;
        Keypair a = new Keypair(k1.clone(), k2.clone(), 7, 9, true, 0);
        Keypair b = new Keypair(k2, k1, 9, 7, false, 0);
        return new Keypair[] {a, b};
    }

    @Test
    void countersRunUpToTheRejectLimitThenStop() {
        Keypair k = pair()[0];
        assertEquals(0, k.nextSendCounter());
        assertEquals(1, k.nextSendCounter());
        assertEquals(2, k.sendCounterPeek());
        k.setSendCounterForTest(Protocol.REJECT_AFTER_MESSAGES - 1);
        assertEquals(Protocol.REJECT_AFTER_MESSAGES - 1, k.nextSendCounter());
        assertEquals(-1, k.nextSendCounter());
        assertEquals(-1, k.nextSendCounter());
        assertEquals(Protocol.REJECT_AFTER_MESSAGES, k.sendCounterPeek());
    }

    @Test
    void counterBeyondSignedRangeIsStillValid() {
        Keypair k = pair()[0];
        k.setSendCounterForTest(Long.MIN_VALUE); // 2^63: unsigned, far below the limit
        assertEquals(Long.MIN_VALUE, k.nextSendCounter());
    }

    @Test
    void sealsAndOpensAWholeTransportPacketInPlaceInADirectBuffer() {
        Keypair[] keys = pair();
        byte[] payload = "a padded inner IP packet.......".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0, (payload.length + 1) % Protocol.PADDING_MULTIPLE);
        int padded = payload.length + 1;
        ByteBuffer packet = ByteBuffer.allocateDirect(Protocol.TRANSPORT_HEADER_SIZE + padded + Protocol.TAG_SIZE);
        // Header room reserved in advance; plaintext sits where the ciphertext will go.
        packet.position(Transport.DATA_OFFSET).put(payload).put((byte) 0);

        long counter = keys[0].nextSendCounter();
        Messages.putHeader(packet, 0, Protocol.MESSAGE_TRANSPORT);
        LittleEndian.putInt(packet, Transport.RECEIVER_OFFSET, keys[0].remoteIndex());
        LittleEndian.putLong(packet, Transport.COUNTER_OFFSET, counter);
        ByteBuffer plaintext = packet.duplicate().position(Transport.DATA_OFFSET).limit(Transport.DATA_OFFSET + padded);
        ByteBuffer dst = packet.duplicate().position(Transport.DATA_OFFSET);
        keys[0].seal(counter, plaintext, dst);
        assertEquals(packet.capacity(), dst.position());

        // Receive side, same buffer.
        assertEquals(Protocol.MESSAGE_TRANSPORT, Messages.messageType(packet.clear()));
        assertEquals(keys[1].localIndex(), LittleEndian.getInt(packet, Transport.RECEIVER_OFFSET));
        long received = LittleEndian.getLong(packet, Transport.COUNTER_OFFSET);
        ByteBuffer src = packet.duplicate().position(Transport.DATA_OFFSET);
        ByteBuffer out = packet.duplicate().position(Transport.DATA_OFFSET);
        assertTrue(keys[1].open(received, src, out));
        assertTrue(keys[1].acceptCounter(received));
        byte[] back = new byte[payload.length];
        packet.get(Transport.DATA_OFFSET, back);
        assertArrayEquals(payload, back);
    }

    @Test
    void wrongCounterOrTamperingDoesNotOpenAndLeavesTheReplayWindowAlone() {
        Keypair[] keys = pair();
        ByteBuffer sealed = ByteBuffer.allocate(32);
        keys[0].seal(5, ByteBuffer.allocate(16), sealed);
        sealed.flip();
        assertFalse(keys[1].open(6, sealed.duplicate(), ByteBuffer.allocate(16)));
        ByteBuffer tampered = ByteBuffer.allocate(32).put(sealed.duplicate()).flip();
        tampered.put(31, (byte) (tampered.get(31) ^ 1));
        assertFalse(keys[1].open(5, tampered, ByteBuffer.allocate(16)));
        assertTrue(keys[1].open(5, sealed, ByteBuffer.allocate(16)));
        assertTrue(keys[1].acceptCounter(5));
        assertFalse(keys[1].acceptCounter(5));
        assertFalse(keys[1].acceptCounter(Protocol.REJECT_AFTER_MESSAGES));
    }

    @Test
    void keysOnlyWorkInTheirDirection() {
        Keypair[] keys = pair();
        ByteBuffer sealed = ByteBuffer.allocate(32);
        keys[0].seal(0, ByteBuffer.allocate(16), sealed);
        // The sender cannot open its own packet: send and receive keys differ.
        assertFalse(keys[0].open(0, sealed.flip(), ByteBuffer.allocate(16)));
    }

    @Test
    void destroyedKeypairRefusesWork() {
        Keypair k = pair()[0];
        k.destroy();
        assertTrue(k.isDestroyed());
        assertThrows(IllegalStateException.class, () -> k.seal(0, ByteBuffer.allocate(16), ByteBuffer.allocate(32)));
        assertThrows(IllegalStateException.class, () -> k.open(0, ByteBuffer.allocate(32), ByteBuffer.allocate(16)));
        k.destroy();
    }

    @Test
    void constructorZeroesTheKeysItWasGiven() {
        byte[] send = new byte[32];
        byte[] receive = new byte[32];
        send[5] = 9;
        receive[6] = 9;
        new Keypair(send, receive, 1, 2, true, 0);
        assertArrayEquals(new byte[32], send);
        assertArrayEquals(new byte[32], receive);
    }
}

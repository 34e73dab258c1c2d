package io.ocbridge.crypto.cookie;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.CookieReply;
import io.ocbridge.crypto.wire.LittleEndian;
import io.ocbridge.crypto.wire.Messages;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CookieTest {

    private static final long SECOND = 1_000_000_000L;
    private static final byte[] SOURCE = {(byte) 192, (byte) 168, 1, 2, (byte) 0xca, 0x6c};
    private static final byte[] OTHER_SOURCE = {(byte) 192, (byte) 168, 1, 3, (byte) 0xca, 0x6c};

    private final AtomicLong nanos = new AtomicLong(42 * SECOND);
    private final PublicKey responder = PrivateKey.generate().publicKey();
    private final CookieChecker checker = new CookieChecker(responder, nanos::get);
    private final CookieGenerator generator = new CookieGenerator(responder, nanos::get);

    private static ByteBuffer message(int size, int fill) {
        ByteBuffer msg = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            msg.put(i, (byte) (fill + i));
        }
        Messages.putHeader(msg, 0, size == Protocol.INITIATION_SIZE ? 1 : 2);
        return msg;
    }

    private boolean obtainCookie(ByteBuffer msg) {
        ByteBuffer reply = ByteBuffer.allocateDirect(Protocol.COOKIE_REPLY_SIZE);
        checker.createReply(msg, 0x01020304, SOURCE, reply);
        assertEquals(Protocol.COOKIE_REPLY_SIZE, reply.position());
        reply.flip();
        assertEquals(Protocol.MESSAGE_COOKIE_REPLY, Messages.messageType(reply));
        assertEquals(0x01020304, LittleEndian.getInt(reply, CookieReply.RECEIVER_OFFSET));
        return generator.consumeReply(reply);
    }

    @Test
    void mac1ValidOnlyForTheRightResponderAndContent() {
        for (int size : new int[] {Protocol.INITIATION_SIZE, Protocol.RESPONSE_SIZE}) {
            ByteBuffer msg = message(size, 3);
            assertFalse(checker.checkMac1(msg));
            generator.addMacs(msg);
            assertEquals(0, msg.position());
            assertTrue(checker.checkMac1(msg));
            assertFalse(new CookieChecker(PrivateKey.generate().publicKey(), nanos::get).checkMac1(msg));
            msg.put(10, (byte) (msg.get(10) + 1));
            assertFalse(checker.checkMac1(msg));
            assertFalse(checker.checkMac2(msg, SOURCE));
        }
        assertFalse(checker.checkMac1(ByteBuffer.allocate(10)));
    }

    @Test
    void withoutACookieMac2IsZeroAndInvalid() {
        ByteBuffer msg = message(Protocol.INITIATION_SIZE, 1);
        generator.addMacs(msg);
        byte[] mac2 = new byte[16];
        msg.get(Protocol.INITIATION_SIZE - 16, mac2);
        assertArrayEquals(new byte[16], mac2);
        assertFalse(checker.checkMac2(msg, SOURCE));
    }

    @Test
    void cookieReplyRoundTripGivesValidMac2ForThatSourceOnly() {
        ByteBuffer first = message(Protocol.INITIATION_SIZE, 1);
        generator.addMacs(first);
        assertTrue(obtainCookie(first));

        ByteBuffer retry = message(Protocol.INITIATION_SIZE, 2);
        generator.addMacs(retry);
        assertTrue(checker.checkMac1(retry));
        assertTrue(checker.checkMac2(retry, SOURCE));
        assertFalse(checker.checkMac2(retry, OTHER_SOURCE));
    }

    @Test
    void replyIsBoundToTheMac1WeLastSent() {
        ByteBuffer first = message(Protocol.INITIATION_SIZE, 1);
        generator.addMacs(first);
        ByteBuffer reply = ByteBuffer.allocate(Protocol.COOKIE_REPLY_SIZE);
        checker.createReply(first, 1, SOURCE, reply);
        // We sent another message since; the reply for the old one no longer decrypts.
        generator.addMacs(message(Protocol.INITIATION_SIZE, 9));
        assertFalse(generator.consumeReply(reply.flip()));
    }

    @Test
    void replyBeforeSendingAnythingOrTamperedIsRefused() {
        ByteBuffer first = message(Protocol.INITIATION_SIZE, 1);
        generator.addMacs(first);
        ByteBuffer reply = ByteBuffer.allocate(Protocol.COOKIE_REPLY_SIZE);
        checker.createReply(first, 1, SOURCE, reply);
        reply.flip();
        assertFalse(new CookieGenerator(responder, nanos::get).consumeReply(reply.duplicate()),
                "a generator that sent nothing has no mac1 to decrypt with");

        for (int i = CookieReply.NONCE_OFFSET; i < Protocol.COOKIE_REPLY_SIZE; i++) {
            ByteBuffer flipped = ByteBuffer.allocate(64).put(reply.duplicate()).flip();
            flipped.put(i, (byte) (flipped.get(i) ^ 4));
            assertFalse(generator.consumeReply(flipped), "byte " + i);
        }
        assertFalse(generator.consumeReply(reply.duplicate().limit(63)));
        assertTrue(generator.consumeReply(reply));
    }

    @Test
    void secretRotatesAfterTwoMinutes() {
        ByteBuffer first = message(Protocol.INITIATION_SIZE, 1);
        generator.addMacs(first);
        assertTrue(obtainCookie(first));
        ByteBuffer msg = message(Protocol.INITIATION_SIZE, 2);
        generator.addMacs(msg);
        assertTrue(checker.checkMac2(msg, SOURCE));

        nanos.addAndGet(Protocol.COOKIE_REFRESH_TIME_NANOS);
        assertTrue(checker.checkMac2(msg, SOURCE), "still current at exactly two minutes");
        nanos.addAndGet(1);
        assertFalse(checker.checkMac2(msg, SOURCE), "stale secret: no mac2 is valid");

        // The next reply uses a fresh secret, under which the old cookie's mac2 fails.
        ByteBuffer reply = ByteBuffer.allocate(Protocol.COOKIE_REPLY_SIZE);
        checker.createReply(msg, 1, SOURCE, reply);
        assertFalse(checker.checkMac2(msg, SOURCE));
        assertTrue(generator.consumeReply(reply.flip()));
        ByteBuffer again = message(Protocol.INITIATION_SIZE, 3);
        generator.addMacs(again);
        assertTrue(checker.checkMac2(again, SOURCE));
    }

    @Test
    void generatorStopsUsingACookieBeforeTheResponderRotates() {
        ByteBuffer first = message(Protocol.RESPONSE_SIZE, 1);
        generator.addMacs(first);
        assertTrue(obtainCookie(first));
        nanos.addAndGet(Protocol.COOKIE_REFRESH_TIME_NANOS - Protocol.REKEY_TIMEOUT_NANOS - 1);
        ByteBuffer msg = message(Protocol.RESPONSE_SIZE, 2);
        generator.addMacs(msg);
        assertTrue(checker.checkMac2(msg, SOURCE));
        nanos.addAndGet(1);
        generator.addMacs(msg);
        byte[] mac2 = new byte[16];
        msg.get(Protocol.RESPONSE_SIZE - 16, mac2);
        assertArrayEquals(new byte[16], mac2);
    }

    @Test
    void macsWorkAtANonZeroPositionInADirectBuffer() {
        ByteBuffer big = ByteBuffer.allocateDirect(300);
        big.position(50).put(message(Protocol.INITIATION_SIZE, 5)).flip().position(50);
        generator.addMacs(big);
        assertEquals(50, big.position());
        assertTrue(checker.checkMac1(big));
    }
}

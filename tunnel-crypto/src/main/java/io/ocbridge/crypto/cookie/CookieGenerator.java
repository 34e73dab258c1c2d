package io.ocbridge.crypto.cookie;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.aead.XChaChaPoly;
import io.ocbridge.crypto.hash.Blake2s;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.CookieReply;
import io.ocbridge.crypto.wire.Macs;
import io.ocbridge.crypto.wire.Messages;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Initiator side of the cookie mechanism, one per peer: adds mac1 (and mac2 while we hold a recent
 * cookie) to the handshake messages we send, and takes cookies from replies.
 * Not thread-safe: one owner thread, the one sending this peer's handshakes.
 */
public final class CookieGenerator {

    /**
     * Our cookie's secret may already be up to this old at the responder when it reaches us, so we
     * stop using it a little before the responder rotates (the kernel uses the same 5 s margin).
     */
    private static final long COOKIE_MAX_AGE_NANOS =
            Protocol.COOKIE_REFRESH_TIME_NANOS - Protocol.REKEY_TIMEOUT_NANOS;

    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final LongSupplier nanoClock;

    private final byte[] lastMac1 = new byte[Protocol.MAC_SIZE];
    private boolean hasLastMac1;
    /** The responder's latest cookie; allocated with the first one, as most peers never send one. */
    private byte[] cookie;
    private long cookieSetNanos;
    private boolean hasCookie;

    public CookieGenerator(PublicKey remoteStatic, LongSupplier nanoClock) {
        byte[] pub = remoteStatic.bytes();
        this.mac1Key = MacKeys.mac1Key(pub);
        this.cookieKey = MacKeys.cookieKey(pub);
        this.nanoClock = nanoClock;
    }

    /** Fills mac1 and mac2 (zeros without a current cookie) of the message in {@code msg[position..limit)}. */
    public void addMacs(ByteBuffer msg) {
        int start = msg.position();
        int length = msg.remaining();
        if (length < Protocol.RESPONSE_SIZE) {
            throw new IllegalArgumentException("not a handshake message");
        }
        int mac1Offset = Macs.mac1Offset(length);
        Blake2s.mac(mac1Key, msg, start, mac1Offset, lastMac1, 0);
        msg.put(start + mac1Offset, lastMac1);
        hasLastMac1 = true;

        byte[] mac2 = new byte[Protocol.MAC_SIZE];
        if (hasCookie && nanoClock.getAsLong() - cookieSetNanos < COOKIE_MAX_AGE_NANOS) {
            Blake2s.mac(cookie, msg, start, Macs.mac2Offset(length), mac2, 0);
        }
        msg.put(start + Macs.mac2Offset(length), mac2);
    }

    /**
     * Takes the cookie from the reply at {@code reply[position..limit)} (borrowed). False if it is
     * malformed, we sent nothing yet, or it does not decrypt with our last mac1 as associated data.
     */
    public boolean consumeReply(ByteBuffer reply) {
        if (!hasLastMac1 || reply.remaining() != Protocol.COOKIE_REPLY_SIZE
                || Messages.messageType(reply) != Protocol.MESSAGE_COOKIE_REPLY) {
            return false;
        }
        byte[] m = new byte[Protocol.COOKIE_REPLY_SIZE];
        reply.get(reply.position(), m);
        byte[] nonce = Arrays.copyOfRange(m, CookieReply.NONCE_OFFSET, CookieReply.COOKIE_OFFSET);
        byte[] received = new byte[Protocol.COOKIE_SIZE];
        if (!XChaChaPoly.open(cookieKey, nonce, m, CookieReply.COOKIE_OFFSET, CookieReply.COOKIE_SIZE, lastMac1,
                received, 0)) {
            return false;
        }
        if (cookie == null) {
            cookie = new byte[Protocol.COOKIE_SIZE];
        }
        System.arraycopy(received, 0, cookie, 0, Protocol.COOKIE_SIZE);
        cookieSetNanos = nanoClock.getAsLong();
        hasCookie = true;
        return true;
    }
}

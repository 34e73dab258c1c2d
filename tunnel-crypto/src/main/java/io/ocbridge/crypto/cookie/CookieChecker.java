package io.ocbridge.crypto.cookie;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.aead.XChaChaPoly;
import io.ocbridge.crypto.hash.Blake2s;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.CookieReply;
import io.ocbridge.crypto.wire.LittleEndian;
import io.ocbridge.crypto.wire.Macs;
import io.ocbridge.crypto.wire.Messages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Responder side of WireGuard's DoS defence, one per interface. mac1 proves the sender knows our
 * public key; under load, mac2 proves it can receive at its source address, because the cookie it
 * is keyed with is MAC(secret, source) and reached the sender only in a cookie reply.
 * Thread-safe: the rotating secret is guarded by this object's monitor.
 */
public final class CookieChecker {

    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final LongSupplier nanoClock;
    private final SecureRandom random = new SecureRandom();

    private final byte[] secret = new byte[Protocol.KEY_SIZE];
    private long secretSetNanos;
    private boolean secretSet;

    public CookieChecker(PublicKey localPublic, LongSupplier nanoClock) {
        byte[] pub = localPublic.bytes();
        this.mac1Key = MacKeys.mac1Key(pub);
        this.cookieKey = MacKeys.cookieKey(pub);
        this.nanoClock = nanoClock;
    }

    /** Whether the handshake message at {@code msg[position..limit)} carries a valid mac1. Borrowed. */
    public boolean checkMac1(ByteBuffer msg) {
        int length = msg.remaining();
        if (length < Protocol.RESPONSE_SIZE) {
            return false;
        }
        byte[] mac = new byte[Protocol.MAC_SIZE];
        Blake2s.mac(mac1Key, msg, msg.position(), Macs.mac1Offset(length), mac, 0);
        return MacKeys.macEquals(mac, msg, msg.position() + Macs.mac1Offset(length));
    }

    /**
     * Whether the message carries a valid mac2 for {@code source} (IP address bytes then the 2-byte
     * port). Only this checker ever interprets {@code source}, so any stable encoding works (the
     * kernel puts the port big-endian, wireguard-go little-endian). Always false while we hold no
     * current secret, i.e. no cookie can be valid. Borrowed.
     */
    public boolean checkMac2(ByteBuffer msg, byte[] source) {
        int length = msg.remaining();
        if (length < Protocol.RESPONSE_SIZE) {
            return false;
        }
        byte[] cookie = new byte[Protocol.COOKIE_SIZE];
        synchronized (this) {
            if (!secretIsCurrent(nanoClock.getAsLong())) {
                return false;
            }
            Blake2s.mac(secret, source, 0, source.length, cookie, 0);
        }
        byte[] mac = new byte[Protocol.MAC_SIZE];
        Blake2s.mac(cookie, msg, msg.position(), Macs.mac2Offset(length), mac, 0);
        return MacKeys.macEquals(mac, msg, msg.position() + Macs.mac2Offset(length));
    }

    /**
     * Writes a 64-byte cookie reply to {@code msg} (borrowed) at {@code dst.position()}, advancing it.
     * The cookie is encrypted with msg's mac1 as associated data, binding the reply to that message.
     */
    public void createReply(ByteBuffer msg, int receiverIndex, byte[] source, ByteBuffer dst) {
        if (dst.remaining() < Protocol.COOKIE_REPLY_SIZE) {
            throw new IllegalArgumentException("dst has no room for a cookie reply");
        }
        byte[] cookie = new byte[Protocol.COOKIE_SIZE];
        synchronized (this) {
            long nowNanos = nanoClock.getAsLong();
            if (!secretIsCurrent(nowNanos)) {
                random.nextBytes(secret);
                secretSetNanos = nowNanos;
                secretSet = true;
            }
            Blake2s.mac(secret, source, 0, source.length, cookie, 0);
        }
        byte[] mac1 = new byte[Protocol.MAC_SIZE];
        msg.get(msg.position() + Macs.mac1Offset(msg.remaining()), mac1);

        byte[] reply = new byte[Protocol.COOKIE_REPLY_SIZE];
        ByteBuffer view = ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN);
        Messages.putHeader(view, 0, Protocol.MESSAGE_COOKIE_REPLY);
        LittleEndian.putInt(view, CookieReply.RECEIVER_OFFSET, receiverIndex);
        byte[] nonce = new byte[XChaChaPoly.NONCE_SIZE];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, reply, CookieReply.NONCE_OFFSET, nonce.length);
        XChaChaPoly.seal(cookieKey, nonce, cookie, 0, cookie.length, mac1, reply, CookieReply.COOKIE_OFFSET);
        dst.put(reply);
    }

    private boolean secretIsCurrent(long nowNanos) {
        return secretSet && nowNanos - secretSetNanos <= Protocol.COOKIE_REFRESH_TIME_NANOS;
    }
}

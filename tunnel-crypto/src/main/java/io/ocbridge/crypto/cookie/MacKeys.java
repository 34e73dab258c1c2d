package io.ocbridge.crypto.cookie;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.hash.Blake2s;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Keys both sides derive from the responder's static public key, and the MAC comparison. */
final class MacKeys {

    private static final byte[] LABEL_MAC1 = Protocol.LABEL_MAC1.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL_COOKIE = Protocol.LABEL_COOKIE.getBytes(StandardCharsets.US_ASCII);

    private MacKeys() {
    }

    /** HASH(LABEL_MAC1 || responder static): keys mac1, so only holders of that public key can send. */
    static byte[] mac1Key(byte[] responderStatic) {
        return Blake2s.hash(LABEL_MAC1, responderStatic);
    }

    /** HASH(LABEL_COOKIE || responder static): encrypts cookies in cookie replies. */
    static byte[] cookieKey(byte[] responderStatic) {
        return Blake2s.hash(LABEL_COOKIE, responderStatic);
    }

    /** Constant-time comparison of {@code expected} with {@code buf[index..index+16)}. */
    static boolean macEquals(byte[] expected, ByteBuffer buf, int index) {
        byte[] actual = new byte[Protocol.MAC_SIZE];
        buf.get(index, actual);
        return MessageDigest.isEqual(expected, actual);
    }
}

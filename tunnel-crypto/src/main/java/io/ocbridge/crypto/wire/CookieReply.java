package io.ocbridge.crypto.wire;

import io.ocbridge.crypto.Protocol;

/** Offsets of cookie reply (type 3) fields, relative to the message start. */
public final class CookieReply {

    public static final int TYPE_OFFSET = 0;
    public static final int RECEIVER_OFFSET = 4;
    public static final int NONCE_OFFSET = 8;
    /** XAEAD(cookie): 16 + 16 bytes. */
    public static final int COOKIE_OFFSET = NONCE_OFFSET + Protocol.COOKIE_NONCE_SIZE;
    public static final int COOKIE_SIZE = Protocol.COOKIE_SIZE + Protocol.TAG_SIZE;
    public static final int SIZE = COOKIE_OFFSET + COOKIE_SIZE;

    private CookieReply() {
    }
}

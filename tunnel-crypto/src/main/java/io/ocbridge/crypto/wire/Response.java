package io.ocbridge.crypto.wire;

import io.ocbridge.crypto.Protocol;

/** Offsets of handshake response (type 2) fields, relative to the message start. */
public final class Response {

    public static final int TYPE_OFFSET = 0;
    public static final int SENDER_OFFSET = 4;
    public static final int RECEIVER_OFFSET = 8;
    public static final int EPHEMERAL_OFFSET = 12;
    /** AEAD of the empty string: just the 16-byte tag. */
    public static final int EMPTY_OFFSET = EPHEMERAL_OFFSET + Protocol.KEY_SIZE;
    public static final int EMPTY_SIZE = Protocol.TAG_SIZE;
    public static final int MAC1_OFFSET = EMPTY_OFFSET + EMPTY_SIZE;
    public static final int MAC2_OFFSET = MAC1_OFFSET + Protocol.MAC_SIZE;
    public static final int SIZE = MAC2_OFFSET + Protocol.MAC_SIZE;

    private Response() {
    }
}

package io.ocbridge.crypto.wire;

import io.ocbridge.crypto.Protocol;

/** Offsets of handshake initiation (type 1) fields, relative to the message start. */
public final class Initiation {

    public static final int TYPE_OFFSET = 0;
    public static final int SENDER_OFFSET = 4;
    public static final int EPHEMERAL_OFFSET = 8;
    /** AEAD(initiator static public key): 32 + 16 bytes. */
    public static final int STATIC_OFFSET = EPHEMERAL_OFFSET + Protocol.KEY_SIZE;
    public static final int STATIC_SIZE = Protocol.KEY_SIZE + Protocol.TAG_SIZE;
    /** AEAD(TAI64N timestamp): 12 + 16 bytes. */
    public static final int TIMESTAMP_OFFSET = STATIC_OFFSET + STATIC_SIZE;
    public static final int TIMESTAMP_SIZE = Protocol.TIMESTAMP_SIZE + Protocol.TAG_SIZE;
    public static final int MAC1_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_SIZE;
    public static final int MAC2_OFFSET = MAC1_OFFSET + Protocol.MAC_SIZE;
    public static final int SIZE = MAC2_OFFSET + Protocol.MAC_SIZE;

    private Initiation() {
    }
}

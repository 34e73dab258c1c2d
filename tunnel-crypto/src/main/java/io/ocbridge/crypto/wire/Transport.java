package io.ocbridge.crypto.wire;

/** Offsets of transport data (type 4) fields; the sealed payload follows the 16-byte header. */
public final class Transport {

    public static final int TYPE_OFFSET = 0;
    public static final int RECEIVER_OFFSET = 4;
    /** 64-bit little-endian nonce counter. */
    public static final int COUNTER_OFFSET = 8;
    public static final int DATA_OFFSET = 16;

    private Transport() {
    }
}

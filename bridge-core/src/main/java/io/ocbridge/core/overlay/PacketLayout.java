package io.ocbridge.core.overlay;

import io.ocbridge.crypto.Protocol;

/**
 * Room reserved around a device packet so it is encrypted in place: the transport header goes in
 * front of the IP packet, padding and the Poly1305 tag after it.
 */
public final class PacketLayout {
    /** Bytes reserved before the IP packet: the 16-byte transport header. */
    public static final int HEADROOM = Protocol.TRANSPORT_HEADER_SIZE;
    /** Bytes reserved after the IP packet: up to 15 bytes of padding and the 16-byte tag. */
    public static final int TAILROOM = Protocol.PADDING_MULTIPLE - 1 + Protocol.TAG_SIZE;

    private PacketLayout() {}

    /** Buffer capacity for a device packet of at most {@code mtuBytes}. */
    public static int capacityFor(int mtuBytes) {
        return HEADROOM + mtuBytes + TAILROOM;
    }

    /** Padded plaintext length as WireGuard computes it: to a multiple of 16, never beyond the MTU. */
    public static int paddedLength(int packetBytes, int mtuBytes) {
        int lastUnit = packetBytes;
        if (mtuBytes > 0 && lastUnit > mtuBytes) {
            lastUnit %= mtuBytes;
        }
        int padded = (lastUnit + Protocol.PADDING_MULTIPLE - 1) & -Protocol.PADDING_MULTIPLE;
        if (mtuBytes > 0 && padded > mtuBytes) {
            padded = mtuBytes;
        }
        return packetBytes + (padded - lastUnit);
    }
}

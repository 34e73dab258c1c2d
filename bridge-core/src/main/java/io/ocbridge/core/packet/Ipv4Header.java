package io.ocbridge.core.packet;

import io.netty.buffer.ByteBuf;

/** IPv4 header (RFC 791): offsets from the header's first byte, sizes, flags; read in place. */
public final class Ipv4Header {
    public static final int VERSION = 4;
    /** The header without options. */
    public static final int HEADER_BYTES = 20;
    /** IHL is four bits of 32-bit words: 40 bytes of options at most. */
    public static final int MAX_HEADER_BYTES = 60;
    /** Version (high four bits) and IHL (low four bits). */
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    /** The 16-bit field of the flags (DF, MF) and the 13-bit fragment offset. */
    public static final int FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;
    public static final int ADDRESS_BYTES = 4;
    /** Largest datagram: the total length field is 16 bits. */
    public static final int MAX_TOTAL_LENGTH = 0xffff;

    // In the field at FRAGMENT_OFFSET.
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    /** The fragment offset, in {@link #FRAGMENT_UNIT_BYTES} units. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;
    /** MF or a non-zero offset: the packet is a fragment. */
    public static final int MF_AND_OFFSET_MASK = FLAG_MF | FRAGMENT_OFFSET_MASK;
    public static final int FRAGMENT_UNIT_BYTES = 8;

    private static final int IHL_MASK = 0x0f;
    private static final int IHL_UNIT_BYTES = 4;

    private Ipv4Header() {}

    /** Header length in bytes (IHL) of the IPv4 header at {@code at}; the caller checks it against the packet. */
    public static int headerBytes(ByteBuf packet, int at) {
        return headerBytes(packet.getUnsignedByte(at + VERSION_IHL_OFFSET));
    }

    /** Header length in bytes (IHL) from the header's first byte, for a caller that has read it for the version too. */
    public static int headerBytes(int versionIhl) {
        return (versionIhl & IHL_MASK) * IHL_UNIT_BYTES;
    }

    /** Whether the IPv4 packet at {@code at} is a fragment: MF set or a non-zero fragment offset. */
    public static boolean isFragment(ByteBuf packet, int at) {
        return (packet.getUnsignedShort(at + FRAGMENT_OFFSET) & MF_AND_OFFSET_MASK) != 0;
    }

    /** Whether the IPv4 packet at {@code at} is a fragment with a non-zero offset: no upper-layer header in it. */
    public static boolean isLaterFragment(ByteBuf packet, int at) {
        return (packet.getUnsignedShort(at + FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK) != 0;
    }
}

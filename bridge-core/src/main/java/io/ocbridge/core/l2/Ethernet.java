package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;

/** Ethernet II header fields, read in place. */
public final class Ethernet {
    public static final int HEADER_BYTES = 14;
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    /** Largest frame we carry: 1500-byte payload, header, one 802.1Q tag. */
    public static final int MAX_FRAME_BYTES = 1500 + HEADER_BYTES + 4;

    private Ethernet() {}

    /** The 48-bit MAC at {@code offset}, as a long. */
    public static long mac(ByteBuf frame, int offset) {
        return ((long) frame.getUnsignedShort(offset) << 32) | frame.getUnsignedInt(offset + 2);
    }

    /** Group (broadcast or multicast) addresses have the I/G bit set. */
    public static boolean isGroup(long mac) {
        return (mac & (1L << 40)) != 0;
    }

    public static String format(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (s.length() > 0) {
                s.append(':');
            }
            int b = (int) (mac >>> shift) & 0xff;
            s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return s.toString();
    }
}

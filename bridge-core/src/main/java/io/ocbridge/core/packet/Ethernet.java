package io.ocbridge.core.packet;

import io.netty.buffer.ByteBuf;

/** Ethernet II header fields and IEEE 802.1Q/802.1ad VLAN tags, read in place. */
public final class Ethernet {
    public static final int HEADER_BYTES = 14;
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int TYPE_BYTES = 2;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86dd;
    /** Reverse ARP (RFC 903), which hypervisors send after moving a VM. */
    public static final int TYPE_RARP = 0x8035;
    /** TPID of an 802.1Q customer tag (C-tag). */
    public static final int TYPE_VLAN = 0x8100;
    /** TPID of an 802.1ad service tag (S-tag, "QinQ"). */
    public static final int TYPE_QINQ = 0x88a8;
    /** A tag: TPID (in the type field's place) and TCI, then the next type field. */
    public static final int TAG_BYTES = 4;
    /** Tags looked through: an 802.1ad S-tag and a C-tag; a third tag is not a frame we classify. */
    public static final int MAX_TAGS = 2;
    /** The longest header we look through: {@link #MAX_TAGS} tags. */
    public static final int MAX_HEADER_BYTES = HEADER_BYTES + MAX_TAGS * TAG_BYTES;
    /** Largest frame we carry: 1500-byte payload, header, one 802.1Q tag. */
    public static final int MAX_FRAME_BYTES = 1500 + HEADER_BYTES + TAG_BYTES;

    private Ethernet() {}

    /**
     * Offset of the type field that names the payload of the frame at {@code at}, past at most {@link #MAX_TAGS}
     * VLAN tags (the payload starts {@link #TYPE_BYTES} later), or -1 if the frame ends inside its header and tags
     * or carries more tags than that.
     */
    public static int payloadTypeOffset(ByteBuf frame, int at, int end) {
        int typeAt = at + TYPE_OFFSET;
        for (int tags = 0; tags <= MAX_TAGS; tags++) {
            if (typeAt + TYPE_BYTES > end) {
                return -1;
            }
            if (!isTag(frame.getUnsignedShort(typeAt))) {
                return typeAt;
            }
            typeAt += TAG_BYTES;
        }
        return -1;
    }

    /**
     * Bytes before the IP header of the {@code length}-byte frame at {@code at}: {@link #HEADER_BYTES}, plus
     * {@link #TAG_BYTES} per VLAN tag (at most {@link #MAX_TAGS}); -1 if it does not carry IPv4 or IPv6, or nothing
     * follows the header.
     */
    public static int ipOffset(ByteBuf frame, int at, int length) {
        int typeAt = payloadTypeOffset(frame, at, at + length);
        if (typeAt < 0) {
            return -1;
        }
        int bytes = typeAt + TYPE_BYTES - at;
        int type = frame.getUnsignedShort(typeAt);
        return bytes < length && (type == TYPE_IPV4 || type == TYPE_IPV6) ? bytes : -1;
    }

    public static boolean isTag(int type) {
        return type == TYPE_VLAN || type == TYPE_QINQ;
    }

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

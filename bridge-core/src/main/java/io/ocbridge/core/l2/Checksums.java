package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;

/**
 * RFC 1071 Internet checksum and RFC 1624 incremental update. Reads by absolute index; never moves
 * reader or writer indexes. Callers keep ranges inside the buffer.
 */
public final class Checksums {
    /** Offset of the header checksum within an IPv4 header (RFC 791). */
    static final int IPV4_CHECKSUM_OFFSET = 10;

    private Checksums() {}

    /**
     * Ones-complement running sum of {@code buf[offset..offset+length)} added to {@code initial}
     * (a previous result, or 0), folded to 16 bits but not complemented. An odd trailing byte is
     * padded with zero, so only the last piece of a chained sum may have odd length.
     */
    public static int sum(ByteBuf buf, int offset, int length, int initial) {
        long acc = initial & 0xFFFF_FFFFL;
        int i = offset;
        int end = offset + length;
        for (; i + 4 <= end; i += 4) {
            acc += buf.getUnsignedInt(i);
        }
        if (i + 2 <= end) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            acc += buf.getUnsignedByte(i) << 8;
        }
        return fold(acc);
    }

    /** Folds a running sum to 16 bits and complements it: the value to store in a checksum field. */
    public static short finish(int sum) {
        return (short) ~fold(sum & 0xFFFF_FFFFL);
    }

    /** Header checksum of the IPv4 header at {@code ipOffset} over IHL*4 bytes, the field read as 0. */
    public static short ipv4Header(ByteBuf buf, int ipOffset) {
        int headerBytes = (buf.getUnsignedByte(ipOffset) & 0x0F) * 4;
        int s = sum(buf, ipOffset, IPV4_CHECKSUM_OFFSET, 0);
        int afterField = IPV4_CHECKSUM_OFFSET + 2;
        return finish(sum(buf, ipOffset + afterField, headerBytes - afterField, s));
    }

    /** RFC 1624 eqn 3: HC' = ~(~HC + ~m + m'), the checksum after a 16-bit word changed from m to m'. */
    public static short update(short checksum, short oldValue, short newValue) {
        long acc = (~checksum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF);
        return (short) ~fold(acc);
    }

    private static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }
}

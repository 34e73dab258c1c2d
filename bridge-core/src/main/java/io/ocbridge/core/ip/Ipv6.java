package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.packet.Ipv6Header;

/**
 * A bounded walk over the IPv6 (RFC 8200) extension-header chain to the upper-layer header, read in place; the
 * layout is {@link Ipv6Header}. The walk result is one long (no allocation): {@link #protocol}, {@link #offset},
 * {@link #isLaterFragment}.
 */
public final class Ipv6 {
    // Implementation choice: a real packet carries a few extension headers (RFC 8504 lets a host limit them);
    // a longer chain is one we decline to judge.
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** {@link #upperLayer}: the chain is longer than {@link #MAX_EXTENSION_HEADERS}, or runs past the packet. */
    public static final long UNKNOWN = -1;
    private static final long LATER_FRAGMENT = 1L << 40;

    private Ipv6() {}

    /**
     * Walks the extension headers (hop-by-hop, routing, fragment, destination options) of the IPv6 header at
     * {@code ip}, bytes before {@code end}. Returns the upper-layer protocol and where its header starts; in a
     * fragment with a non-zero offset the walk stops at the fragment header, whose next header names the protocol
     * of data that is not here (the offset is then that of the fragment data). {@link #UNKNOWN} if the chain does
     * not end within {@link #MAX_EXTENSION_HEADERS} headers and the packet. The caller has checked the fixed header
     * fits.
     */
    public static long upperLayer(ByteBuf frame, int ip, int end) {
        int next = frame.getUnsignedByte(ip + Ipv6Header.NEXT_HEADER_OFFSET);
        int at = ip + Ipv6Header.HEADER_BYTES;
        for (int headers = 0; headers <= MAX_EXTENSION_HEADERS; headers++) {
            int length;
            if (next == Ipv6Header.FRAGMENT) {
                length = Ipv6Header.FRAGMENT_HEADER_BYTES;
            } else if (next == Ipv6Header.HOP_BY_HOP || next == Ipv6Header.ROUTING
                    || next == Ipv6Header.DESTINATION_OPTIONS) {
                if (at + Ipv6Header.EXTENSION_UNIT_BYTES > end) {
                    return UNKNOWN;
                }
                length = (frame.getUnsignedByte(at + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                        * Ipv6Header.EXTENSION_UNIT_BYTES;
            } else {
                return (long) next << 32 | at;
            }
            if (at + length > end) {
                return UNKNOWN;
            }
            int header = next;
            next = frame.getUnsignedByte(at);
            at += length;
            if (header == Ipv6Header.FRAGMENT
                    && (frame.getUnsignedShort(at - length + Ipv6Header.FRAGMENT_FIELD_OFFSET)
                            & Ipv6Header.FRAGMENT_OFFSET_MASK) != 0) {
                return LATER_FRAGMENT | (long) next << 32 | at;
            }
        }
        return UNKNOWN;
    }

    /** The upper-layer protocol number of a known {@link #upperLayer} result. */
    public static int protocol(long upperLayer) {
        return (int) (upperLayer >>> 32) & 0xff;
    }

    /** Where the upper-layer header (or, in a later fragment, the fragment data) starts. */
    public static int offset(long upperLayer) {
        return (int) upperLayer;
    }

    /** Whether the packet is a fragment with a non-zero offset: no upper-layer header in it. */
    public static boolean isLaterFragment(long upperLayer) {
        return (upperLayer & LATER_FRAGMENT) != 0;
    }
}

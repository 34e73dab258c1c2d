package io.ocbridge.core.packet;

import io.netty.buffer.ByteBuf;

/**
 * What IPv4 and IPv6 share: the version in the first four bits of the header, and the protocol numbers (IANA) that
 * the IPv4 protocol field and the IPv6 next-header field both carry.
 */
public final class Ip {
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_ICMPV6 = 58;

    private Ip() {}

    /** The version of the IP header at {@code at}: 4 or 6 in an IP packet. */
    public static int version(ByteBuf packet, int at) {
        return packet.getUnsignedByte(at) >>> 4;
    }
}

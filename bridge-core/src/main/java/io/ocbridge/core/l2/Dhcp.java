package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;

/**
 * Recognises DHCP (RFC 2131, UDP 67/68) and DHCPv6 (RFC 8415, UDP 546/547) in an untagged
 * Ethernet frame, for the segment's DHCP guard. Reads in place; never throws on a short frame.
 */
public final class Dhcp {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int UDP = 17;
    /** Source and destination port as one int: server → client. */
    private static final int V4_SERVER = 67 << 16 | 68;
    private static final int V4_CLIENT = 68 << 16 | 67;
    private static final int V6_SERVER = 547 << 16 | 546;
    private static final int V6_CLIENT = 546 << 16 | 547;

    private Dhcp() {}

    /** A message from a DHCP server to a client (offer, ack, nak; DHCPv6 advertise, reply). */
    public static boolean isServerMessage(ByteBuf frame, int at, int end) {
        int ports = udpPorts(frame, at, end);
        return ports == V4_SERVER || ports == V6_SERVER;
    }

    /** A message from a DHCP client to servers (discover, request; DHCPv6 solicit, request). */
    public static boolean isClientMessage(ByteBuf frame, int at, int end) {
        int ports = udpPorts(frame, at, end);
        return ports == V4_CLIENT || ports == V6_CLIENT;
    }

    /** UDP source and destination port packed in an int, or 0 if the frame is not a first-fragment UDP datagram. */
    private static int udpPorts(ByteBuf frame, int at, int end) {
        int type = frame.getUnsignedShort(at + Ethernet.TYPE_OFFSET);
        int l3 = at + Ethernet.HEADER_BYTES;
        int udp;
        if (type == ETHERTYPE_IPV4) {
            if (l3 + 20 > end || (frame.getUnsignedByte(l3) >>> 4) != 4 || frame.getUnsignedByte(l3 + 9) != UDP
                    || (frame.getUnsignedShort(l3 + 6) & 0x1fff) != 0) {
                return 0;
            }
            udp = l3 + (frame.getUnsignedByte(l3) & 0x0f) * 4;
        } else if (type == Neighbors.ETHERTYPE_IPV6) {
            if (l3 + 40 > end || (frame.getUnsignedByte(l3) >>> 4) != 6 || frame.getUnsignedByte(l3 + 6) != UDP) {
                return 0;
            }
            udp = l3 + 40;
        } else {
            return 0;
        }
        return udp + 8 <= end ? frame.getInt(udp) : 0;
    }
}

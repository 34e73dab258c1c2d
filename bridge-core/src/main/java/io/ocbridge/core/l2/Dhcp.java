package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.ip.Ipv6;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.packet.UdpHeader;

/**
 * Recognises DHCP (RFC 2131) and DHCPv6 (RFC 8415) messages in an Ethernet frame for the segment's DHCP guard, by
 * the port they are sent to: clients listen on 68 and 546, so whatever goes there is a server message, whatever
 * the source port (clients filter on the destination only); servers and relays listen on 67 and 547. Looks through
 * up to {@link Ethernet#MAX_TAGS} VLAN tags and up to {@link Ipv6#MAX_EXTENSION_HEADERS} IPv6 extension headers.
 *
 * <p>The guard fails closed: a frame that may be UDP but whose destination port cannot be read here (more tags,
 * a longer or truncated IPv6 header chain, a first fragment cut before the UDP ports, an IPv6 fragment with a
 * non-zero offset whose fragment header names UDP) counts as both kinds. An IPv4 fragment with a non-zero offset
 * does not: it carries no UDP header, the ports travel only in the offset-0 fragment, which is judged here, and no
 * later fragment can rewrite them (offsets are in 8-byte units; the ports are in the first 4 bytes). Reads in
 * place; never throws on a short or odd frame.
 */
public final class Dhcp {
    // Specification: the DHCP ports (RFC 2131 section 4.1, RFC 8415 section 7.2).
    private static final int V4_SERVER_PORT = 67;
    private static final int V4_CLIENT_PORT = 68;
    private static final int V6_CLIENT_PORT = 546;
    private static final int V6_SERVER_PORT = 547;

    /** {@link #destination}: not a UDP datagram whose header is in this frame, or not one a host would accept. */
    private static final int NOT_UDP = -1;
    /** {@link #destination}: may be UDP to any port; we cannot tell. */
    private static final int UNCLEAR = -2;
    /** Family bit in {@link #destination}'s result, above the 16-bit port. */
    private static final int V6 = 1 << 16;

    private Dhcp() {}

    /**
     * A message to a DHCP client (offer, ack, nak; DHCPv6 advertise, reply), or a frame that may be one and cannot
     * be told apart.
     */
    public static boolean mayBeServerMessage(ByteBuf frame, int at, int end) {
        int destination = destination(frame, at, end);
        return destination == UNCLEAR || destination == V4_CLIENT_PORT || destination == (V6 | V6_CLIENT_PORT);
    }

    /**
     * A message to DHCP servers or relays (discover, request; DHCPv6 solicit, request), or a frame that may be one
     * and cannot be told apart.
     */
    public static boolean mayBeClientMessage(ByteBuf frame, int at, int end) {
        int destination = destination(frame, at, end);
        return destination == UNCLEAR || destination == V4_SERVER_PORT || destination == (V6 | V6_SERVER_PORT);
    }

    /** The UDP destination port (with {@link #V6} for IPv6) of the frame at {@code at}, {@link #NOT_UDP} or {@link #UNCLEAR}. */
    private static int destination(ByteBuf frame, int at, int end) {
        int typeAt = Ethernet.payloadTypeOffset(frame, at, end);
        if (typeAt < 0) {
            return UNCLEAR;
        }
        int type = frame.getUnsignedShort(typeAt);
        int ip = typeAt + Ethernet.TYPE_BYTES;
        if (type == Ethernet.TYPE_IPV4) {
            return destinationV4(frame, ip, end);
        }
        if (type == Ethernet.TYPE_IPV6) {
            return destinationV6(frame, ip, end);
        }
        return NOT_UDP;
    }

    private static int destinationV4(ByteBuf frame, int ip, int end) {
        if (ip + Ipv4Header.HEADER_BYTES > end) {
            return NOT_UDP;
        }
        int versionIhl = frame.getUnsignedByte(ip + Ipv4Header.VERSION_IHL_OFFSET);
        int headerBytes = Ipv4Header.headerBytes(versionIhl);
        if (versionIhl >>> 4 != Ipv4Header.VERSION || headerBytes < Ipv4Header.HEADER_BYTES
                || frame.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ip.PROTOCOL_UDP
                || Ipv4Header.isLaterFragment(frame, ip)) {
            return NOT_UDP;
        }
        return port(frame, ip + headerBytes, end, 0);
    }

    private static int destinationV6(ByteBuf frame, int ip, int end) {
        if (ip + Ipv6Header.HEADER_BYTES > end || Ip.version(frame, ip) != Ipv6Header.VERSION) {
            return NOT_UDP;
        }
        long upper = Ipv6.upperLayer(frame, ip, end);
        if (upper == Ipv6.UNKNOWN) {
            return UNCLEAR;
        }
        if (Ipv6.protocol(upper) != Ip.PROTOCOL_UDP) {
            return NOT_UDP;
        }
        return Ipv6.isLaterFragment(upper) ? UNCLEAR : port(frame, Ipv6.offset(upper), end, V6);
    }

    private static int port(ByteBuf frame, int udp, int end, int family) {
        return udp + UdpHeader.HEADER_BYTES > end
                ? UNCLEAR
                : family | frame.getUnsignedShort(udp + UdpHeader.DST_PORT_OFFSET);
    }
}

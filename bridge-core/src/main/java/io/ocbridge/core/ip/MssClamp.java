package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.packet.TcpHeader;
import io.ocbridge.core.packet.UdpHeader;

/**
 * Inline TCP MSS clamping on Ethernet frames, like iptables {@code TCPMSS --clamp-mss-to-pmtu}: a SYN
 * announcing a larger MSS than the overlay carries unfragmented gets the smaller one. Rewrites in place and
 * fixes the TCP checksum incrementally (RFC 1624), so frames with an offloaded (partial) checksum must not
 * come here.
 */
public final class MssClamp {
    // The layouts are in the packet package: Ethernet, Ipv4Header, Ipv6Header, TcpHeader.
    /** The VXLAN header (RFC 7348); l2.Vxlan builds it, and l2 sits above this package. */
    private static final int VXLAN_HEADER_BYTES = 8;
    /** Bytes an overlay packet spends before the inner IP header: outer IPv4, UDP, VXLAN, inner Ethernet. */
    private static final int OVERLAY_OVERHEAD_BYTES =
            Ipv4Header.HEADER_BYTES + UdpHeader.HEADER_BYTES + VXLAN_HEADER_BYTES + Ethernet.HEADER_BYTES;

    private MssClamp() {}

    /**
     * Borrows {@code frame} (readerIndex at the Ethernet header, up to {@link Ethernet#MAX_TAGS} 802.1Q/802.1ad
     * tags). If it is an IPv4 or IPv6 TCP SYN (RST clear) whose MSS option exceeds the limit for its family,
     * rewrites the MSS to the limit and updates the TCP checksum. A limit {@code <= 0} turns that family off. IPv4 fragments with a
     * non-zero offset, and IPv6 packets whose first next header is not TCP, are left alone. Reads nothing at or
     * beyond writerIndex, moves no index, never throws on any frame content.
     *
     * @return true if the frame was changed
     */
    public static boolean clamp(ByteBuf frame, int maxMssV4, int maxMssV6) {
        int start = frame.readerIndex();
        int limit = frame.writerIndex();
        if (limit - start < Ethernet.HEADER_BYTES) {
            return false;
        }
        int typeAt = Ethernet.payloadTypeOffset(frame, start, limit);
        if (typeAt < 0) {
            return false;
        }
        int etherType = frame.getUnsignedShort(typeAt);
        int l3 = typeAt + Ethernet.TYPE_BYTES;
        if (etherType == Ethernet.TYPE_IPV4 && maxMssV4 > 0) {
            return clampIpv4(frame, l3, limit, maxMssV4);
        }
        if (etherType == Ethernet.TYPE_IPV6 && maxMssV6 > 0) {
            return clampIpv6(frame, l3, limit, maxMssV6);
        }
        return false;
    }

    /** MSS that avoids fragmenting an IPv4 TCP segment bridged over an overlay of MTU {@code overlayMtu}; 0 if none. */
    public static int autoMssV4(int overlayMtu) {
        return Math.max(0, overlayMtu - OVERLAY_OVERHEAD_BYTES - Ipv4Header.HEADER_BYTES - TcpHeader.HEADER_BYTES);
    }

    /** MSS that avoids fragmenting an IPv6 TCP segment bridged over an overlay of MTU {@code overlayMtu}; 0 if none. */
    public static int autoMssV6(int overlayMtu) {
        return Math.max(0, overlayMtu - OVERLAY_OVERHEAD_BYTES - Ipv6Header.HEADER_BYTES - TcpHeader.HEADER_BYTES);
    }

    private static boolean clampIpv4(ByteBuf frame, int ip, int limit, int maxMss) {
        if (limit - ip < Ipv4Header.HEADER_BYTES) {
            return false;
        }
        int versionIhl = frame.getUnsignedByte(ip + Ipv4Header.VERSION_IHL_OFFSET);
        int ihl = Ipv4Header.headerBytes(versionIhl);
        int totalLength = frame.getUnsignedShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
        if (versionIhl >>> 4 != Ipv4Header.VERSION || ihl < Ipv4Header.HEADER_BYTES || totalLength < ihl
                || totalLength > limit - ip
                || frame.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ip.PROTOCOL_TCP
                || Ipv4Header.isLaterFragment(frame, ip)) {
            return false;
        }
        return clampTcp(frame, ip + ihl, ip + totalLength, maxMss);
    }

    private static boolean clampIpv6(ByteBuf frame, int ip, int limit, int maxMss) {
        if (limit - ip < Ipv6Header.HEADER_BYTES
                || Ip.version(frame, ip) != Ipv6Header.VERSION
                || frame.getUnsignedByte(ip + Ipv6Header.NEXT_HEADER_OFFSET) != Ip.PROTOCOL_TCP) {
            return false;
        }
        int payloadLength = frame.getUnsignedShort(ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
        if (payloadLength > limit - ip - Ipv6Header.HEADER_BYTES) {
            return false;
        }
        return clampTcp(frame, ip + Ipv6Header.HEADER_BYTES, ip + Ipv6Header.HEADER_BYTES + payloadLength, maxMss);
    }

    /** The TCP segment is {@code frame[tcp..end)}, already known to lie within writerIndex. */
    private static boolean clampTcp(ByteBuf frame, int tcp, int end, int maxMss) {
        if (end - tcp < TcpHeader.HEADER_BYTES
                || (frame.getUnsignedByte(tcp + TcpHeader.FLAGS_OFFSET) & (TcpHeader.FLAG_SYN | TcpHeader.FLAG_RST))
                        != TcpHeader.FLAG_SYN) {
            return false;
        }
        int dataOffset = TcpHeader.headerBytes(frame, tcp);
        if (dataOffset < TcpHeader.HEADER_BYTES || dataOffset > end - tcp) {
            return false;
        }
        int optionsEnd = tcp + dataOffset;
        int option = tcp + TcpHeader.HEADER_BYTES;
        while (option < optionsEnd) {
            int kind = frame.getUnsignedByte(option);
            if (kind == TcpHeader.OPTION_END) {
                return false;
            }
            if (kind == TcpHeader.OPTION_NOP) {
                option++;
                continue;
            }
            if (optionsEnd - option < TcpHeader.OPTION_VALUE_OFFSET) {
                return false;
            }
            int length = frame.getUnsignedByte(option + TcpHeader.OPTION_LENGTH_OFFSET);
            if (length < TcpHeader.OPTION_VALUE_OFFSET || length > optionsEnd - option) {
                return false;
            }
            if (kind == TcpHeader.OPTION_MSS && length == TcpHeader.OPTION_MSS_BYTES) {
                return rewriteMss(frame, tcp, option + TcpHeader.OPTION_VALUE_OFFSET, maxMss);
            }
            option += length;
        }
        return false;
    }

    private static boolean rewriteMss(ByteBuf frame, int tcp, int mssIndex, int maxMss) {
        int oldMss = frame.getUnsignedShort(mssIndex);
        if (oldMss <= maxMss) {
            return false;
        }
        frame.setShort(mssIndex, maxMss);
        // The checksum sums 16-bit words aligned to the TCP header; an MSS at an odd offset straddles two of
        // them, which in a ones-complement sum is the same as a change of its byte-swapped value.
        boolean odd = ((mssIndex - tcp) & 1) != 0;
        short oldWord = (short) (odd ? Integer.reverseBytes(oldMss) >>> 16 : oldMss);
        short newWord = (short) (odd ? Integer.reverseBytes(maxMss) >>> 16 : maxMss);
        int checksumIndex = tcp + TcpHeader.CHECKSUM_OFFSET;
        frame.setShort(checksumIndex, Checksums.update(frame.getShort(checksumIndex), oldWord, newWord));
        return true;
    }
}

package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.packet.Ethernet;

/**
 * Inline TCP MSS clamping on Ethernet frames, like iptables {@code TCPMSS --clamp-mss-to-pmtu}: a SYN
 * announcing a larger MSS than the overlay carries unfragmented gets the smaller one. Rewrites in place and
 * fixes the TCP checksum incrementally (RFC 1624), so frames with an offloaded (partial) checksum must not
 * come here.
 */
public final class MssClamp {
    // Specification: Ethernet and its tags in {@link Ethernet}; IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293).
    private static final int IPV4_HEADER_BYTES = Ipv4Fragmenter.HEADER_BYTES;
    private static final int PROTOCOL_TCP = 6;
    private static final int TCP_HEADER_BYTES = 20;
    private static final int TCP_DATA_OFFSET_OFFSET = 12;
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int TCP_FLAG_SYN = 0x02;
    private static final int TCP_FLAG_RST = 0x04;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_MSS = 2;
    private static final int OPTION_MSS_BYTES = 4;
    /** Bytes an overlay packet spends before the inner IP header: outer IPv4, UDP, VXLAN, inner Ethernet. */
    private static final int OVERLAY_OVERHEAD_BYTES = 20 + 8 + 8 + Ethernet.HEADER_BYTES;

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
        return Math.max(0, overlayMtu - OVERLAY_OVERHEAD_BYTES - IPV4_HEADER_BYTES - TCP_HEADER_BYTES);
    }

    /** MSS that avoids fragmenting an IPv6 TCP segment bridged over an overlay of MTU {@code overlayMtu}; 0 if none. */
    public static int autoMssV6(int overlayMtu) {
        return Math.max(0, overlayMtu - OVERLAY_OVERHEAD_BYTES - Ipv6.HEADER_BYTES - TCP_HEADER_BYTES);
    }

    private static boolean clampIpv4(ByteBuf frame, int ip, int limit, int maxMss) {
        if (limit - ip < IPV4_HEADER_BYTES) {
            return false;
        }
        int versionIhl = frame.getUnsignedByte(ip);
        int ihl = (versionIhl & 0x0F) * 4;
        int totalLength = frame.getUnsignedShort(ip + Ipv4Fragmenter.TOTAL_LENGTH_OFFSET);
        if (versionIhl >>> 4 != 4 || ihl < IPV4_HEADER_BYTES || totalLength < ihl || totalLength > limit - ip
                || frame.getUnsignedByte(ip + Ipv4Fragmenter.PROTOCOL_OFFSET) != PROTOCOL_TCP
                || (frame.getUnsignedShort(ip + Ipv4Fragmenter.FRAGMENT_OFFSET) & Ipv4Fragmenter.OFFSET_MASK) != 0) {
            return false;
        }
        return clampTcp(frame, ip + ihl, ip + totalLength, maxMss);
    }

    private static boolean clampIpv6(ByteBuf frame, int ip, int limit, int maxMss) {
        if (limit - ip < Ipv6.HEADER_BYTES
                || frame.getUnsignedByte(ip) >>> 4 != 6
                || frame.getUnsignedByte(ip + Ipv6.NEXT_HEADER_OFFSET) != PROTOCOL_TCP) {
            return false;
        }
        int payloadLength = frame.getUnsignedShort(ip + Ipv6.PAYLOAD_LENGTH_OFFSET);
        if (payloadLength > limit - ip - Ipv6.HEADER_BYTES) {
            return false;
        }
        return clampTcp(frame, ip + Ipv6.HEADER_BYTES, ip + Ipv6.HEADER_BYTES + payloadLength, maxMss);
    }

    /** The TCP segment is {@code frame[tcp..end)}, already known to lie within writerIndex. */
    private static boolean clampTcp(ByteBuf frame, int tcp, int end, int maxMss) {
        if (end - tcp < TCP_HEADER_BYTES
                || (frame.getUnsignedByte(tcp + TCP_FLAGS_OFFSET) & (TCP_FLAG_SYN | TCP_FLAG_RST)) != TCP_FLAG_SYN) {
            return false;
        }
        int dataOffset = (frame.getUnsignedByte(tcp + TCP_DATA_OFFSET_OFFSET) >>> 4) * 4;
        if (dataOffset < TCP_HEADER_BYTES || dataOffset > end - tcp) {
            return false;
        }
        int optionsEnd = tcp + dataOffset;
        int option = tcp + TCP_HEADER_BYTES;
        while (option < optionsEnd) {
            int kind = frame.getUnsignedByte(option);
            if (kind == OPTION_END) {
                return false;
            }
            if (kind == OPTION_NOP) {
                option++;
                continue;
            }
            if (optionsEnd - option < 2) {
                return false;
            }
            int length = frame.getUnsignedByte(option + 1);
            if (length < 2 || length > optionsEnd - option) {
                return false;
            }
            if (kind == OPTION_MSS && length == OPTION_MSS_BYTES) {
                return rewriteMss(frame, tcp, option + 2, maxMss);
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
        int checksumIndex = tcp + TCP_CHECKSUM_OFFSET;
        frame.setShort(checksumIndex, Checksums.update(frame.getShort(checksumIndex), oldWord, newWord));
        return true;
    }
}

package io.ocbridge.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.ip.Checksums;
import java.util.function.Consumer;

/**
 * Device → network: turns one read from an IFF_VNET_HDR TUN device (a virtio_net_hdr, then an IP packet of up
 * to 64 KiB that may be a TCP super-packet the kernel left for us to segment, TUN_F_TSO4/6, or whose checksum it
 * left for us to finish, TUN_F_CSUM) into wire-ready IP packets with every checksum complete.
 *
 * <p>Stateless between calls; one instance per device reader. Validates every header against the buffer
 * before it allocates, so a malformed read emits nothing and allocates nothing. The read's length is the packet's
 * length: the super-packet's IPv4 total length / IPv6 payload length and hdr_len are not trusted.
 */
public final class TsoSplitter {
    private static final int IPV4_MIN_HEADER_BYTES = 20;
    private static final int IPV4_TOTAL_LENGTH = 2;
    private static final int IPV4_ID = 4;
    private static final int IPV4_FRAGMENT = 6;
    private static final int IPV4_FRAGMENT_MF_AND_OFFSET = 0x3fff;
    private static final int IPV4_PROTOCOL = 9;
    private static final int IPV4_CHECKSUM = 10;
    private static final int IPV6_HEADER_BYTES = 40;
    private static final int IPV6_PAYLOAD_LENGTH = 4;
    private static final int IPV6_NEXT_HEADER = 6;
    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_DESTINATION_OPTIONS = 60;
    /** Extension headers we walk before giving up (RFC 8200 allows each of these once or twice). */
    private static final int IPV6_MAX_EXTENSION_HEADERS = 4;
    /** IPv4 total length / IPv6 payload length: 16 bits. */
    private static final int MAX_IP_LENGTH_FIELD = 0xffff;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int UDP_CHECKSUM = 6;
    private static final int TCP_MIN_HEADER_BYTES = 20;
    private static final int TCP_SEQ = 4;
    private static final int TCP_DATA_OFFSET = 12;
    private static final int TCP_FLAGS = 13;
    private static final int TCP_CHECKSUM = 16;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;


    private final ByteBufAllocator alloc;
    private final int headroom;
    private final int tailroom;
    /** TAP: each read is an Ethernet frame (up to two VLAN tags) and csum_start counts from its first byte. */
    private final boolean ethernet;

    /** Output buffers come from {@code alloc} with {@code headroom} bytes free before and {@code tailroom} after the packet. */
    public TsoSplitter(ByteBufAllocator alloc, int headroom, int tailroom) {
        this(alloc, headroom, tailroom, false);
    }

    private TsoSplitter(ByteBufAllocator alloc, int headroom, int tailroom, boolean ethernet) {
        if (headroom < 0 || tailroom < 0) {
            throw new IllegalArgumentException("headroom " + headroom + ", tailroom " + tailroom);
        }
        this.alloc = alloc;
        this.headroom = headroom;
        this.tailroom = tailroom;
        this.ethernet = ethernet;
    }

    /**
     * A splitter for a TAP device's reads: Ethernet frames, whose link header (and VLAN tags) each segment
     * repeats. Same buffer rules as the constructor.
     */
    public static TsoSplitter forFrames(ByteBufAllocator alloc, int headroom, int tailroom) {
        return new TsoSplitter(alloc, headroom, tailroom, true);
    }

    /**
     * {@code src} holds a virtio_net_hdr at its readerIndex followed by the packet up to its writerIndex; borrowed,
     * not modified, no index moved. Emits each resulting packet to {@code sink} in order, each in a new pooled direct
     * buffer (readerIndex = headroom, the sink owns it). Returns how many were emitted, or a negative
     * {@link SplitDrop#code()} when the read is malformed (then nothing was emitted).
     */
    public int split(ByteBuf src, Consumer<ByteBuf> sink) {
        int hdr = src.readerIndex();
        int ip = hdr + VirtioNetHeader.SIZE;
        int length = src.writerIndex() - ip;
        if (length <= 0) {
            return SplitDrop.TRUNCATED.code();
        }
        int gsoType = VirtioNetHeader.gsoType(src, hdr);
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            return completeChecksum(src, hdr, ip, length, sink);
        }
        int l2 = ethernet ? LinkHeader.ipOffset(src, ip, length) : 0;
        if (l2 < 0) {
            return SplitDrop.BAD_IP_HEADER.code();
        }
        return switch (gsoType & ~VirtioNetHeader.GSO_ECN) {
            case VirtioNetHeader.GSO_TCPV4 -> segment(src, hdr, ip + l2, length - l2, l2, false, sink);
            case VirtioNetHeader.GSO_TCPV6 -> segment(src, hdr, ip + l2, length - l2, l2, true, sink);
            default -> SplitDrop.UNSUPPORTED_GSO_TYPE.code();
        };
    }


    /** gso_type NONE: one packet; with NEEDS_CSUM, the kernel left the pseudo-header sum in the field for us to finish. */
    private int completeChecksum(ByteBuf src, int hdr, int ip, int length, Consumer<ByteBuf> sink) {
        boolean needsChecksum = (VirtioNetHeader.flags(src, hdr) & VirtioNetHeader.F_NEEDS_CSUM) != 0;
        int start = VirtioNetHeader.csumStart(src, hdr);
        int offset = VirtioNetHeader.csumOffset(src, hdr);
        if (needsChecksum && start + offset + 2 > length) {
            return SplitDrop.BAD_CSUM_RANGE.code();
        }
        ByteBuf out = newPacket(length);
        ByteBufViews.append(out, src, ip, length);
        if (needsChecksum) {
            int o = headroom;
            int field = o + start + offset;
            int partial = out.getUnsignedShort(field);
            out.setShort(field, 0);
            short checksum = Checksums.finish(Checksums.sum(out, o + start, length - start, partial));
            int l2 = ethernet ? LinkHeader.ipOffset(out, o, length) : 0;
            if (checksum == 0 && offset == UDP_CHECKSUM && l2 >= 0
                    && upperLayer(out, o + l2, length - l2) == ((PROTOCOL_UDP << 16) | (start - l2))) {
                checksum = (short) 0xffff;  // RFC 768: a computed zero is sent as all ones (zero means "no checksum")
            }
            out.setShort(field, checksum);
        }
        sink.accept(out);
        return 1;
    }

    /** gso_type TCPV4/TCPV6: cut the payload into gso_size pieces, each with its own copy of the IP and TCP header. */
    private int segment(ByteBuf src, int hdr, int ip, int length, int l2, boolean ipv6, Consumer<ByteBuf> sink) {
        // csum_start is where the kernel put the TCP header; hdr_len is not trusted (on the forward path it can
        // cover the whole first segment), the TCP header length is read from the data offset instead. On a TAP,
        // csum_start counts from the frame's first byte, l2 bytes before the IP header.
        int ipBytes = VirtioNetHeader.csumStart(src, hdr) - l2;
        int gsoSize = VirtioNetHeader.gsoSize(src, hdr);
        int version = src.getUnsignedByte(ip) >>> 4;
        if (ipv6) {
            if (version != 6 || length < IPV6_HEADER_BYTES || upperLayer(src, ip, length) != ((PROTOCOL_TCP << 16) | ipBytes)) {
                return SplitDrop.BAD_IP_HEADER.code();
            }
        } else if (version != 4 || length < IPV4_MIN_HEADER_BYTES
                || (src.getUnsignedByte(ip) & 0x0f) * 4 != ipBytes || ipBytes < IPV4_MIN_HEADER_BYTES
                || src.getUnsignedByte(ip + IPV4_PROTOCOL) != PROTOCOL_TCP
                || (src.getUnsignedShort(ip + IPV4_FRAGMENT) & IPV4_FRAGMENT_MF_AND_OFFSET) != 0) {
            return SplitDrop.BAD_IP_HEADER.code();
        }
        if (ipBytes + TCP_MIN_HEADER_BYTES > length) {
            return SplitDrop.BAD_TCP_HEADER.code();
        }
        int tcpBytes = (src.getUnsignedByte(ip + ipBytes + TCP_DATA_OFFSET) >>> 4) * 4;
        int headerBytes = ipBytes + tcpBytes;
        if (tcpBytes < TCP_MIN_HEADER_BYTES || headerBytes > length) {
            return SplitDrop.BAD_TCP_HEADER.code();
        }
        int payloadBytes = length - headerBytes;
        int largestIpLengthField = (ipv6 ? -IPV6_HEADER_BYTES : 0) + headerBytes + Math.min(gsoSize, payloadBytes);
        if (gsoSize == 0 || payloadBytes == 0 || largestIpLengthField > MAX_IP_LENGTH_FIELD) {
            return SplitDrop.BAD_GSO_SIZE.code();
        }
        int segments = (payloadBytes + gsoSize - 1) / gsoSize;
        int firstSeq = src.getInt(ip + ipBytes + TCP_SEQ);
        int firstId = src.getUnsignedShort(ip + IPV4_ID);
        int addressSum = ipv6 ? Checksums.pseudoHeaderV6(src, ip, PROTOCOL_TCP, 0) : Checksums.pseudoHeaderV4(src, ip, PROTOCOL_TCP, 0);
        for (int i = 0; i < segments; i++) {
            int dataAt = headerBytes + i * gsoSize;
            int dataBytes = Math.min(gsoSize, length - dataAt);
            int segmentBytes = headerBytes + dataBytes;
            ByteBuf out = newPacket(l2 + segmentBytes);
            ByteBufViews.append(out, src, ip - l2, l2 + headerBytes);
            ByteBufViews.append(out, src, ip + dataAt, dataBytes);
            int o = headroom + l2;
            if (ipv6) {
                out.setShort(o + IPV6_PAYLOAD_LENGTH, segmentBytes - IPV6_HEADER_BYTES);
            } else {
                out.setShort(o + IPV4_TOTAL_LENGTH, segmentBytes);
                out.setShort(o + IPV4_ID, firstId + i);  // the kernel numbers TSO segments consecutively
                out.setShort(o + IPV4_CHECKSUM, 0);
                out.setShort(o + IPV4_CHECKSUM, Checksums.ipv4Header(out, o));
            }
            int tcp = o + ipBytes;
            out.setInt(tcp + TCP_SEQ, firstSeq + i * gsoSize);
            int flags = out.getUnsignedByte(tcp + TCP_FLAGS);
            if (i != segments - 1) {
                flags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i != 0) {
                flags &= ~TCP_CWR;
            }
            out.setByte(tcp + TCP_FLAGS, flags);
            int tcpSegmentBytes = segmentBytes - ipBytes;
            out.setShort(tcp + TCP_CHECKSUM, 0);
            out.setShort(tcp + TCP_CHECKSUM, Checksums.finish(
                    Checksums.sum(out, tcp, tcpSegmentBytes, addressSum + tcpSegmentBytes)));
            sink.accept(out);
        }
        return segments;
    }

    private ByteBuf newPacket(int packetBytes) {
        ByteBuf out = alloc.directBuffer(headroom + packetBytes + tailroom);
        return out.setIndex(headroom, headroom);
    }

    /**
     * The upper-layer protocol and its offset from {@code ip} packed as {@code protocol << 16 | offset}, after
     * walking IPv6 hop-by-hop and destination options headers; -1 when the header is not IPv4/IPv6, is cut
     * short, or holds another extension header (routing headers change the pseudo-header, fragments cannot be
     * segmented: both refused).
     */
    static int upperLayer(ByteBuf buf, int ip, int length) {
        int version = buf.getUnsignedByte(ip) >>> 4;
        if (version == 4) {
            int ihl = (buf.getUnsignedByte(ip) & 0x0f) * 4;
            return length >= IPV4_MIN_HEADER_BYTES && ihl >= IPV4_MIN_HEADER_BYTES && ihl <= length
                    ? (buf.getUnsignedByte(ip + IPV4_PROTOCOL) << 16) | ihl : -1;
        }
        if (version != 6 || length < IPV6_HEADER_BYTES) {
            return -1;
        }
        int next = buf.getUnsignedByte(ip + IPV6_NEXT_HEADER);
        int at = IPV6_HEADER_BYTES;
        for (int k = 0; k < IPV6_MAX_EXTENSION_HEADERS && (next == IPV6_HOP_BY_HOP || next == IPV6_DESTINATION_OPTIONS); k++) {
            if (at + 8 > length) {
                return -1;
            }
            next = buf.getUnsignedByte(ip + at);
            at += (buf.getUnsignedByte(ip + at + 1) + 1) * 8;
        }
        if (next == IPV6_HOP_BY_HOP || next == IPV6_DESTINATION_OPTIONS || at > length || at > 0xffff) {
            return -1;
        }
        return (next << 16) | at;
    }
}

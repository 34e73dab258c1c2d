package io.ocbridge.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.packet.TcpHeader;
import io.ocbridge.core.packet.UdpHeader;
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
    /** Extension headers we walk before giving up (RFC 8200 allows each of these once or twice). */
    private static final int IPV6_MAX_EXTENSION_HEADERS = 4;
    /** IPv4 total length / IPv6 payload length: 16 bits. */
    private static final int MAX_IP_LENGTH_FIELD = Ipv4Header.MAX_TOTAL_LENGTH;

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
        int l2 = ethernet ? Ethernet.ipOffset(src, ip, length) : 0;
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
            int l2 = ethernet ? Ethernet.ipOffset(out, o, length) : 0;
            if (checksum == 0 && offset == UdpHeader.CHECKSUM_OFFSET && l2 >= 0
                    && upperLayer(out, o + l2, length - l2) == ((Ip.PROTOCOL_UDP << 16) | (start - l2))) {
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
        int version = Ip.version(src, ip);
        if (ipv6) {
            if (version != Ipv6Header.VERSION || length < Ipv6Header.HEADER_BYTES
                    || upperLayer(src, ip, length) != ((Ip.PROTOCOL_TCP << 16) | ipBytes)) {
                return SplitDrop.BAD_IP_HEADER.code();
            }
        } else if (version != Ipv4Header.VERSION || length < Ipv4Header.HEADER_BYTES
                || Ipv4Header.headerBytes(src, ip) != ipBytes || ipBytes < Ipv4Header.HEADER_BYTES
                || src.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ip.PROTOCOL_TCP
                || Ipv4Header.isFragment(src, ip)) {
            return SplitDrop.BAD_IP_HEADER.code();
        }
        if (ipBytes + TcpHeader.HEADER_BYTES > length) {
            return SplitDrop.BAD_TCP_HEADER.code();
        }
        int tcpBytes = TcpHeader.headerBytes(src, ip + ipBytes);
        int headerBytes = ipBytes + tcpBytes;
        if (tcpBytes < TcpHeader.HEADER_BYTES || headerBytes > length) {
            return SplitDrop.BAD_TCP_HEADER.code();
        }
        int payloadBytes = length - headerBytes;
        int largestIpLengthField =
                (ipv6 ? -Ipv6Header.HEADER_BYTES : 0) + headerBytes + Math.min(gsoSize, payloadBytes);
        if (gsoSize == 0 || payloadBytes == 0 || largestIpLengthField > MAX_IP_LENGTH_FIELD) {
            return SplitDrop.BAD_GSO_SIZE.code();
        }
        int segments = (payloadBytes + gsoSize - 1) / gsoSize;
        int firstSeq = src.getInt(ip + ipBytes + TcpHeader.SEQ_OFFSET);
        int firstId = src.getUnsignedShort(ip + Ipv4Header.IDENTIFICATION_OFFSET);
        int addressSum = ipv6
                ? Checksums.pseudoHeaderV6(src, ip, Ip.PROTOCOL_TCP, 0)
                : Checksums.pseudoHeaderV4(src, ip, Ip.PROTOCOL_TCP, 0);
        for (int i = 0; i < segments; i++) {
            int dataAt = headerBytes + i * gsoSize;
            int dataBytes = Math.min(gsoSize, length - dataAt);
            int segmentBytes = headerBytes + dataBytes;
            ByteBuf out = newPacket(l2 + segmentBytes);
            ByteBufViews.append(out, src, ip - l2, l2 + headerBytes);
            ByteBufViews.append(out, src, ip + dataAt, dataBytes);
            int o = headroom + l2;
            if (ipv6) {
                out.setShort(o + Ipv6Header.PAYLOAD_LENGTH_OFFSET, segmentBytes - Ipv6Header.HEADER_BYTES);
            } else {
                out.setShort(o + Ipv4Header.TOTAL_LENGTH_OFFSET, segmentBytes);
                // The kernel numbers TSO segments consecutively.
                out.setShort(o + Ipv4Header.IDENTIFICATION_OFFSET, firstId + i);
                out.setShort(o + Ipv4Header.CHECKSUM_OFFSET, 0);
                out.setShort(o + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(out, o));
            }
            int tcp = o + ipBytes;
            out.setInt(tcp + TcpHeader.SEQ_OFFSET, firstSeq + i * gsoSize);
            int flags = out.getUnsignedByte(tcp + TcpHeader.FLAGS_OFFSET);
            if (i != segments - 1) {
                flags &= ~(TcpHeader.FLAG_FIN | TcpHeader.FLAG_PSH);
            }
            if (i != 0) {
                flags &= ~TcpHeader.FLAG_CWR;
            }
            out.setByte(tcp + TcpHeader.FLAGS_OFFSET, flags);
            int tcpSegmentBytes = segmentBytes - ipBytes;
            out.setShort(tcp + TcpHeader.CHECKSUM_OFFSET, 0);
            out.setShort(tcp + TcpHeader.CHECKSUM_OFFSET, Checksums.finish(
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
        int version = Ip.version(buf, ip);
        if (version == Ipv4Header.VERSION) {
            int ihl = Ipv4Header.headerBytes(buf, ip);
            return length >= Ipv4Header.HEADER_BYTES && ihl >= Ipv4Header.HEADER_BYTES && ihl <= length
                    ? (buf.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) << 16) | ihl : -1;
        }
        if (version != Ipv6Header.VERSION || length < Ipv6Header.HEADER_BYTES) {
            return -1;
        }
        int next = buf.getUnsignedByte(ip + Ipv6Header.NEXT_HEADER_OFFSET);
        int at = Ipv6Header.HEADER_BYTES;
        for (int k = 0; k < IPV6_MAX_EXTENSION_HEADERS
                && (next == Ipv6Header.HOP_BY_HOP || next == Ipv6Header.DESTINATION_OPTIONS); k++) {
            if (at + Ipv6Header.EXTENSION_UNIT_BYTES > length) {
                return -1;
            }
            next = buf.getUnsignedByte(ip + at);
            at += (buf.getUnsignedByte(ip + at + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                    * Ipv6Header.EXTENSION_UNIT_BYTES;
        }
        if (next == Ipv6Header.HOP_BY_HOP || next == Ipv6Header.DESTINATION_OPTIONS || at > length || at > 0xffff) {
            return -1;
        }
        return (next << 16) | at;
    }
}

package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.UdpHeader;

/**
 * VXLAN (RFC 7348) as ocbridge carries it inside the tunnel: IPv4 / UDP to port 4789 / 8-byte
 * VXLAN header / Ethernet frame, between the gateways' overlay addresses (VTEPs).
 */
public final class Vxlan {
    public static final int UDP_PORT = 4789;
    public static final int HEADER_BYTES = 8;
    /** Bytes in front of the Ethernet frame: outer IPv4 (no options) + UDP + VXLAN. */
    public static final int ENCAP_BYTES = Ipv4Header.HEADER_BYTES + UdpHeader.HEADER_BYTES + HEADER_BYTES;
    // The VXLAN header: flags, 24 reserved bits, the 24-bit VNI, 8 reserved bits.
    private static final int FLAGS_OFFSET = 0;
    private static final int VNI_OFFSET = 4;
    /** The I flag: the VNI field is valid. */
    private static final int FLAG_VNI_VALID = 0x08;
    /** Version 4, IHL 5 words: the outer header carries no options. */
    private static final int IPV4_VERSION_IHL = 0x45;
    private static final int IPV4_TTL = 64;
    private static final int SOURCE_PORT_BASE = 49152;

    private Vxlan() {}

    /**
     * Writes IPv4/UDP/VXLAN headers in the {@link #ENCAP_BYTES} in front of the frame at
     * {@code frame.readerIndex()} and moves the reader index back over them. The UDP source port is
     * a hash of the frame's MACs (flow entropy, as Linux does); the UDP checksum is 0 (allowed for
     * IPv4; the tunnel authenticates every byte); DF is clear so the packet may be fragmented.
     */
    public static void encapsulate(ByteBuf frame, int vni, int sourceVtep, int destinationVtep, int ipId) {
        int frameAt = frame.readerIndex();
        int frameBytes = frame.readableBytes();
        int ip = frameAt - ENCAP_BYTES;
        int udp = ip + Ipv4Header.HEADER_BYTES;
        int vxlan = udp + UdpHeader.HEADER_BYTES;
        int totalBytes = ENCAP_BYTES + frameBytes;

        frame.setByte(ip + Ipv4Header.VERSION_IHL_OFFSET, IPV4_VERSION_IHL);
        frame.setByte(ip + Ipv4Header.TOS_OFFSET, 0);
        frame.setShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET, totalBytes);
        frame.setShort(ip + Ipv4Header.IDENTIFICATION_OFFSET, ipId);
        frame.setShort(ip + Ipv4Header.FRAGMENT_OFFSET, 0);
        frame.setByte(ip + Ipv4Header.TTL_OFFSET, IPV4_TTL);
        frame.setByte(ip + Ipv4Header.PROTOCOL_OFFSET, Ip.PROTOCOL_UDP);
        frame.setShort(ip + Ipv4Header.CHECKSUM_OFFSET, 0);
        frame.setInt(ip + Ipv4Header.SRC_OFFSET, sourceVtep);
        frame.setInt(ip + Ipv4Header.DST_OFFSET, destinationVtep);
        frame.setShort(ip + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(frame, ip));

        long macs = Ethernet.mac(frame, frameAt) * 31 + Ethernet.mac(frame, frameAt + Ethernet.SRC_OFFSET);
        int entropy = (int) (macs ^ (macs >>> 17) ^ (macs >>> 34)) & 0x3fff;
        frame.setShort(udp + UdpHeader.SRC_PORT_OFFSET, SOURCE_PORT_BASE + entropy);
        frame.setShort(udp + UdpHeader.DST_PORT_OFFSET, UDP_PORT);
        frame.setShort(udp + UdpHeader.LENGTH_OFFSET, UdpHeader.HEADER_BYTES + HEADER_BYTES + frameBytes);
        frame.setShort(udp + UdpHeader.CHECKSUM_OFFSET, 0);

        frame.setInt(vxlan + FLAGS_OFFSET, FLAG_VNI_VALID << 24);
        frame.setInt(vxlan + VNI_OFFSET, vni << 8);
        frame.readerIndex(ip);
    }

    /**
     * If the IPv4 packet at readerIndex (complete, not a fragment) is VXLAN to our port, returns
     * its VNI and leaves nothing changed; else -1. The caller then skips {@link #ENCAP_BYTES}
     * plus any IP options via {@link #frameOffset}.
     */
    public static int vni(ByteBuf packet) {
        int ip = packet.readerIndex();
        int length = packet.readableBytes();
        int ihl = Ipv4Header.headerBytes(packet, ip);
        if (ihl < Ipv4Header.HEADER_BYTES
                || length < ihl + UdpHeader.HEADER_BYTES + HEADER_BYTES + Ethernet.HEADER_BYTES
                || packet.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ip.PROTOCOL_UDP) {
            return -1;
        }
        int udp = ip + ihl;
        if (packet.getUnsignedShort(udp + UdpHeader.DST_PORT_OFFSET) != UDP_PORT) {
            return -1;
        }
        int vxlan = udp + UdpHeader.HEADER_BYTES;
        if ((packet.getUnsignedByte(vxlan + FLAGS_OFFSET) & FLAG_VNI_VALID) == 0) {
            return -1;
        }
        return packet.getInt(vxlan + VNI_OFFSET) >>> 8;
    }

    /** Offset of the inner Ethernet frame in a VXLAN packet whose IPv4 header starts at {@code ip}. */
    public static int frameOffset(ByteBuf packet, int ip) {
        return ip + Ipv4Header.headerBytes(packet, ip) + UdpHeader.HEADER_BYTES + HEADER_BYTES;
    }
}

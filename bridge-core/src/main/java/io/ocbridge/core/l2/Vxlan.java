package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.packet.Ethernet;

/**
 * VXLAN (RFC 7348) as ocbridge carries it inside the tunnel: IPv4 / UDP to port 4789 / 8-byte
 * VXLAN header / Ethernet frame, between the gateways' overlay addresses (VTEPs).
 */
public final class Vxlan {
    public static final int UDP_PORT = 4789;
    public static final int IPV4_HEADER_BYTES = 20;
    public static final int UDP_HEADER_BYTES = 8;
    public static final int HEADER_BYTES = 8;
    /** Bytes in front of the Ethernet frame: outer IPv4 + UDP + VXLAN. */
    public static final int ENCAP_BYTES = IPV4_HEADER_BYTES + UDP_HEADER_BYTES + HEADER_BYTES;
    /** The I flag: the VNI field is valid. */
    private static final int FLAG_VNI_VALID = 0x08;
    private static final int PROTOCOL_UDP = 17;
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
        int udp = ip + IPV4_HEADER_BYTES;
        int vxlan = udp + UDP_HEADER_BYTES;
        int totalBytes = ENCAP_BYTES + frameBytes;

        frame.setByte(ip, 0x45);
        frame.setByte(ip + 1, 0);
        frame.setShort(ip + 2, totalBytes);
        frame.setShort(ip + 4, ipId);
        frame.setShort(ip + 6, 0);
        frame.setByte(ip + 8, 64);
        frame.setByte(ip + 9, PROTOCOL_UDP);
        frame.setShort(ip + 10, 0);
        frame.setInt(ip + 12, sourceVtep);
        frame.setInt(ip + 16, destinationVtep);
        frame.setShort(ip + 10, Checksums.ipv4Header(frame, ip));

        long macs = Ethernet.mac(frame, frameAt) * 31 + Ethernet.mac(frame, frameAt + Ethernet.SRC_OFFSET);
        int entropy = (int) (macs ^ (macs >>> 17) ^ (macs >>> 34)) & 0x3fff;
        frame.setShort(udp, SOURCE_PORT_BASE + entropy);
        frame.setShort(udp + 2, UDP_PORT);
        frame.setShort(udp + 4, UDP_HEADER_BYTES + HEADER_BYTES + frameBytes);
        frame.setShort(udp + 6, 0);

        frame.setInt(vxlan, FLAG_VNI_VALID << 24);
        frame.setInt(vxlan + 4, vni << 8);
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
        int ihl = (packet.getByte(ip) & 0x0f) * 4;
        if (ihl < IPV4_HEADER_BYTES || length < ihl + UDP_HEADER_BYTES + HEADER_BYTES + Ethernet.HEADER_BYTES
                || packet.getUnsignedByte(ip + 9) != PROTOCOL_UDP) {
            return -1;
        }
        int udp = ip + ihl;
        if (packet.getUnsignedShort(udp + 2) != UDP_PORT) {
            return -1;
        }
        int vxlan = udp + UDP_HEADER_BYTES;
        if ((packet.getUnsignedByte(vxlan) & FLAG_VNI_VALID) == 0) {
            return -1;
        }
        return packet.getInt(vxlan + 4) >>> 8;
    }

    /** Offset of the inner Ethernet frame in a VXLAN packet whose IPv4 header starts at {@code ip}. */
    public static int frameOffset(ByteBuf packet, int ip) {
        return ip + (packet.getByte(ip) & 0x0f) * 4 + UDP_HEADER_BYTES + HEADER_BYTES;
    }
}

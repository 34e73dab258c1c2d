package io.ocbridge.core.offload;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over the 10-byte {@code struct virtio_net_hdr} (virtio spec 1.2, 5.1.6; linux/virtio_net.h) that
 * prefixes every read from and write to a TUN device opened with IFF_VNET_HDR. Fields are in host byte order,
 * little-endian on every platform we run on (TUNSETVNETLE semantics). Absolute indexes; never moves an index.
 */
public final class VirtioNetHeader {
    /** Bytes of the legacy header (no num_buffers field: TUN uses the 10-byte form unless told otherwise). */
    public static final int SIZE = 10;

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** flags: the checksum from csum_start to the end is still to be computed and stored at csum_start+csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** flags: the checksum has been validated (receive side only). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** gso_type bit: the TCP stream uses ECN, CWR must stay on the first segment only. */
    public static final int GSO_ECN = 0x80;

    private VirtioNetHeader() {}

    public static int flags(ByteBuf buf, int at) {
        return buf.getUnsignedByte(at + FLAGS_OFFSET);
    }

    public static int gsoType(ByteBuf buf, int at) {
        return buf.getUnsignedByte(at + GSO_TYPE_OFFSET);
    }

    public static int hdrLen(ByteBuf buf, int at) {
        return buf.getUnsignedShortLE(at + HDR_LEN_OFFSET);
    }

    public static int gsoSize(ByteBuf buf, int at) {
        return buf.getUnsignedShortLE(at + GSO_SIZE_OFFSET);
    }

    public static int csumStart(ByteBuf buf, int at) {
        return buf.getUnsignedShortLE(at + CSUM_START_OFFSET);
    }

    public static int csumOffset(ByteBuf buf, int at) {
        return buf.getUnsignedShortLE(at + CSUM_OFFSET_OFFSET);
    }

    /** Writes a header with every field zero: a plain packet, checksum complete, no segmentation. */
    public static void writeNone(ByteBuf buf, int at) {
        buf.setLong(at, 0L);
        buf.setShort(at + 8, 0);
    }

    public static void write(ByteBuf buf, int at, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
            int csumOffset) {
        buf.setByte(at + FLAGS_OFFSET, flags);
        buf.setByte(at + GSO_TYPE_OFFSET, gsoType);
        buf.setShortLE(at + HDR_LEN_OFFSET, hdrLen);
        buf.setShortLE(at + GSO_SIZE_OFFSET, gsoSize);
        buf.setShortLE(at + CSUM_START_OFFSET, csumStart);
        buf.setShortLE(at + CSUM_OFFSET_OFFSET, csumOffset);
    }
}

package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.buffer.ByteBufViews;
import java.util.function.Consumer;

/**
 * Splits an IPv4 packet into fragments that fit an MTU (RFC 791 section 3.2, "fragmentation").
 * Packets with IP options are not fragmented (they are passed through when they fit): the VXLAN
 * packets this bridge builds carry none, and dropping is what the caller must do for DF anyway.
 */
public final class Ipv4Fragmenter {
    /** Smallest MTU every IPv4 link must carry (RFC 791): a 60-byte header plus 8 data bytes. */
    public static final int MIN_MTU_BYTES = 68;

    public static final int HEADER_BYTES = 20;
    static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int FRAGMENT_OFFSET = 6;
    public static final int PROTOCOL_OFFSET = 9;
    static final int FLAG_DF = 0x4000;
    static final int FLAG_MF = 0x2000;
    public static final int OFFSET_MASK = 0x1FFF;

    private Ipv4Fragmenter() {}

    /**
     * Fragments {@code packet[readerIndex..readerIndex+totalLength)}; bytes past the total length
     * (link padding) are ignored. Consumes {@code packet}. If it fits in {@code mtuBytes} it is
     * passed to {@code out} as-is (trimmed to its total length, without added head- or tailroom).
     * Otherwise each fragment goes to {@code out} in a new buffer from {@code alloc} with capacity
     * {@code headroom + fragmentLength + tailroom} and readerIndex {@code headroom}; {@code out}
     * owns what it receives. An already fragmented packet is re-fragmented (offsets stay relative
     * to the original datagram, the last piece keeps the original MF).
     *
     * @return fragments emitted (1 for pass-through), or 0 if the packet was released instead:
     *     malformed, DF set and too big, IP options present and too big, or mtuBytes below 68
     */
    public static int fragment(
            ByteBuf packet, int mtuBytes, ByteBufAllocator alloc, int headroom, int tailroom, Consumer<ByteBuf> out) {
        boolean owned = true;
        try {
            int ip = packet.readerIndex();
            int readable = packet.readableBytes();
            if (readable < HEADER_BYTES || mtuBytes < MIN_MTU_BYTES || headroom < 0 || tailroom < 0) {
                return 0;
            }
            int versionIhl = packet.getUnsignedByte(ip);
            int headerBytes = (versionIhl & 0x0F) * 4;
            int totalLength = packet.getUnsignedShort(ip + TOTAL_LENGTH_OFFSET);
            if (versionIhl >>> 4 != 4 || headerBytes < HEADER_BYTES || totalLength < headerBytes || totalLength > readable) {
                return 0;
            }
            if (totalLength <= mtuBytes) {
                packet.writerIndex(ip + totalLength);
                owned = false;
                out.accept(packet);
                return 1;
            }
            int flagsOffset = packet.getUnsignedShort(ip + FRAGMENT_OFFSET);
            if ((flagsOffset & FLAG_DF) != 0 || headerBytes != HEADER_BYTES) {
                return 0;
            }
            int payloadBytes = totalLength - HEADER_BYTES;
            int firstUnit = flagsOffset & OFFSET_MASK;
            boolean lastKeepsMf = (flagsOffset & FLAG_MF) != 0;
            if (firstUnit * 8 + payloadBytes > 0xFFFF - HEADER_BYTES) {
                return 0; // a fragment lying beyond the largest datagram
            }
            int chunkBytes = (Math.min(mtuBytes, 0xFFFF) - HEADER_BYTES) & ~7;
            int count = 0;
            for (int done = 0; done < payloadBytes; done += chunkBytes) {
                int dataBytes = Math.min(chunkBytes, payloadBytes - done);
                boolean more = done + dataBytes < payloadBytes || lastKeepsMf;
                int fragmentBytes = HEADER_BYTES + dataBytes;
                ByteBuf fragment = alloc.directBuffer(headroom + fragmentBytes + tailroom);
                fragment.setIndex(headroom, headroom);
                ByteBufViews.append(fragment, packet, ip, HEADER_BYTES);
                ByteBufViews.append(fragment, packet, ip + HEADER_BYTES + done, dataBytes);
                fragment.setShort(headroom + TOTAL_LENGTH_OFFSET, fragmentBytes);
                int newFlagsOffset = (flagsOffset & ~(FLAG_MF | OFFSET_MASK)) | (more ? FLAG_MF : 0) | (firstUnit + done / 8);
                fragment.setShort(headroom + FRAGMENT_OFFSET, newFlagsOffset);
                fragment.setShort(headroom + Checksums.IPV4_CHECKSUM_OFFSET, 0);
                fragment.setShort(headroom + Checksums.IPV4_CHECKSUM_OFFSET, Checksums.ipv4Header(fragment, headroom));
                out.accept(fragment);
                count++;
            }
            return count;
        } finally {
            if (owned) {
                packet.release();
            }
        }
    }
}

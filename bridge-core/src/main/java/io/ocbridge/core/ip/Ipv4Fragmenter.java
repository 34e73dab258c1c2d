package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.packet.Ipv4Header;
import java.util.function.Consumer;

/**
 * Splits an IPv4 packet into fragments that fit an MTU (RFC 791 section 3.2, "fragmentation").
 * Packets with IP options are not fragmented (they are passed through when they fit): the VXLAN
 * packets this bridge builds carry none, and dropping is what the caller must do for DF anyway.
 */
public final class Ipv4Fragmenter {
    /** Smallest MTU every IPv4 link must carry (RFC 791): a 60-byte header plus 8 data bytes. */
    public static final int MIN_MTU_BYTES = Ipv4Header.MAX_HEADER_BYTES + Ipv4Header.FRAGMENT_UNIT_BYTES;
    private static final int HEADER_BYTES = Ipv4Header.HEADER_BYTES;
    private static final int UNIT_BYTES = Ipv4Header.FRAGMENT_UNIT_BYTES;

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
            int versionIhl = packet.getUnsignedByte(ip + Ipv4Header.VERSION_IHL_OFFSET);
            int headerBytes = Ipv4Header.headerBytes(versionIhl);
            int totalLength = packet.getUnsignedShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
            if (versionIhl >>> 4 != Ipv4Header.VERSION || headerBytes < HEADER_BYTES || totalLength < headerBytes
                    || totalLength > readable) {
                return 0;
            }
            if (totalLength <= mtuBytes) {
                packet.writerIndex(ip + totalLength);
                owned = false;
                out.accept(packet);
                return 1;
            }
            int flagsOffset = packet.getUnsignedShort(ip + Ipv4Header.FRAGMENT_OFFSET);
            if ((flagsOffset & Ipv4Header.FLAG_DF) != 0 || headerBytes != HEADER_BYTES) {
                return 0;
            }
            int payloadBytes = totalLength - HEADER_BYTES;
            int firstUnit = flagsOffset & Ipv4Header.FRAGMENT_OFFSET_MASK;
            boolean lastKeepsMf = (flagsOffset & Ipv4Header.FLAG_MF) != 0;
            if (firstUnit * UNIT_BYTES + payloadBytes > Ipv4Header.MAX_TOTAL_LENGTH - HEADER_BYTES) {
                return 0; // a fragment lying beyond the largest datagram
            }
            int chunkBytes = (Math.min(mtuBytes, Ipv4Header.MAX_TOTAL_LENGTH) - HEADER_BYTES) & -UNIT_BYTES;
            int count = 0;
            for (int done = 0; done < payloadBytes; done += chunkBytes) {
                int dataBytes = Math.min(chunkBytes, payloadBytes - done);
                boolean more = done + dataBytes < payloadBytes || lastKeepsMf;
                int fragmentBytes = HEADER_BYTES + dataBytes;
                ByteBuf fragment = alloc.directBuffer(headroom + fragmentBytes + tailroom);
                fragment.setIndex(headroom, headroom);
                ByteBufViews.append(fragment, packet, ip, HEADER_BYTES);
                ByteBufViews.append(fragment, packet, ip + HEADER_BYTES + done, dataBytes);
                fragment.setShort(headroom + Ipv4Header.TOTAL_LENGTH_OFFSET, fragmentBytes);
                int newFlagsOffset = (flagsOffset & ~Ipv4Header.MF_AND_OFFSET_MASK)
                        | (more ? Ipv4Header.FLAG_MF : 0) | (firstUnit + done / UNIT_BYTES);
                fragment.setShort(headroom + Ipv4Header.FRAGMENT_OFFSET, newFlagsOffset);
                fragment.setShort(headroom + Ipv4Header.CHECKSUM_OFFSET, 0);
                fragment.setShort(headroom + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(fragment, headroom));
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

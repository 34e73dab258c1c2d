package io.ocbridge.core.testing;

import java.nio.ByteBuffer;

/** Ethernet frames for L2 tests, built byte by byte; MACs are 48-bit values in a long. */
public final class Frames {
    private Frames() {}

    /** An Ethernet header with room for {@code payloadBytes} after it, positioned at the payload. */
    public static ByteBuffer ethernet(long dst, long src, int type, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + payloadBytes);
        b.putShort((short) (dst >>> 32)).putInt((int) dst);
        b.putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) type);
        return b;
    }

    /** A minimum-size frame of a local experimental EtherType (0x88b5) with a zero payload. */
    public static byte[] frame(long dst, long src) {
        return ethernet(dst, src, 0x88b5, 46).array();
    }

    /** An ARP request ({@code oper} 1) or reply (2) over Ethernet, IPv4 addresses as ints. */
    public static byte[] arp(int oper, long dst, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ethernet(dst, sha, 0x0806, 28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) oper);
        b.putShort((short) (sha >>> 32)).putInt((int) sha).putInt(spa);
        b.putShort((short) (tha >>> 32)).putInt((int) tha).putInt(tpa);
        return b.array();
    }
}
